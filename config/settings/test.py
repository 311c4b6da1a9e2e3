"""Test settings: the same wiring as production, fast hashing, no real e-mail."""

from config.settings.base import *  # noqa: F403
from config.settings.base import REST_FRAMEWORK

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Throttles are exercised by their own tests with explicit rates.
REST_FRAMEWORK = {**REST_FRAMEWORK}
