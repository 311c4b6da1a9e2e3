"""Settings of the checkout benchmark (not for production): the local settings
with persistent connections, no throttle in the way and the reference view."""

from config.settings.local import *  # noqa: F403
from config.settings.local import DATABASES, REST_FRAMEWORK

DEBUG = False
ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        # Never reached, and a one-second window keeps each user's history as
        # short as a real per-minute limit does (a per-minute window this wide
        # would make every request load and store thousands of timestamps).
        "order_place": "100000/s",
    },
}
for _db in DATABASES.values():
    _db["CONN_MAX_AGE"] = 60
# The benchmark's customers leave many orders unpaid on purpose.
ORDERS_MAX_UNPAID_UNITS_PER_PRODUCT = 10**9
