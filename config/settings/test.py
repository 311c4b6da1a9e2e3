"""Test settings: the same wiring as production, fast hashing, no real e-mail."""

from pathlib import Path

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, REST_FRAMEWORK

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
