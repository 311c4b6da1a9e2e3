"""Test settings: the same wiring as production, fast hashing, no real e-mail."""

from pathlib import Path

from config.databases import topology_test_name
from config.settings.base import *  # noqa: F403
from config.settings.base import (
    ALL_DOMAIN_APPS,
    BASE_DIR,
    DATABASES,
    DOMAIN_APPS,
    MEDIA_STORAGE,
    MEDIA_URL,
    REST_FRAMEWORK,
    STORAGES,
)

DEBUG = False
# Tests run periodic jobs explicitly (tests/common/test_embedded_beat.py).
EMBEDDED_BEAT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Throttles are exercised by their own tests with explicit rates; the whole
# suite registers from one address.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "register": "10000/min",
    },
}
# The docs page is rendered from the apps' static folders, no collectstatic.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = str(BASE_DIR / ".test-databases" / "static")
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)

# Calls to an app not hosted here go to its fake where a test installed one
# (tests/fakes/), else over HTTP.
INTERFACE_TRANSPORT = "tests.fakes.call"
# A process hosting some apps only has other tables: its test databases are
# its own, so `--reuse-db` never finds another topology's schema.
if DOMAIN_APPS != ALL_DOMAIN_APPS:
    for _database in DATABASES.values():
        _database["TEST"] = {
            **_database.get("TEST", {}),
            "NAME": topology_test_name(_database, hosted=DOMAIN_APPS),
        }
# Uploads of the tests go below the test databases, never to the project's media.
MEDIA_ROOT = str(BASE_DIR / ".test-databases" / "media")
if MEDIA_STORAGE == "local":
    STORAGES = {
        **STORAGES,
        "default": {
            **STORAGES["default"],
            "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
        },
    }
