"""Production: refuses to start without its secrets, hardened for `check --deploy`."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    AUTH_USER_MODEL_HOSTED,
    CACHES,
    DATABASES,
    JWT_JWKS_URL,
    JWT_PRIVATE_KEY,
    JWT_PUBLIC_KEYS,
    LOGGING,
    env,
)

# Django's own deploy check asks for this much of a secret key.
SECRET_KEY_MIN_LENGTH = 50
KNOWN_DEFAULT_SECRET_MARKS = ("change-me", "changeme", "insecure", "replace")

for _required in (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    # Throttles and breakers count in the cache: in each process's own memory
    # a limit would be multiplied by the number of processes.
    "CACHE_URL",
    # The test gateway captures `tok_success`: it runs only when chosen by name.
    "ORDERS_PAYMENT_GATEWAY",
):
    if not env.str(_required, default=""):
        raise ImproperlyConfigured(f"{_required} must be set in production")


def _secret_key_weakness(value: str) -> str:
    if len(value) < SECRET_KEY_MIN_LENGTH or len(set(value)) < 5:
        return f"shorter than {SECRET_KEY_MIN_LENGTH} characters or repetitive"
    marks = [mark for mark in KNOWN_DEFAULT_SECRET_MARKS if mark in value.lower()]
    return f"a known default ({marks[0]})" if marks else ""


def _private_key_problem(pem: str) -> str:
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except ValueError:
        return "not an unencrypted PEM private key"
    return "" if isinstance(key, Ed25519PrivateKey) else "not an Ed25519 key"


if _weakness := _secret_key_weakness(env("SECRET_KEY")):
    raise ImproperlyConfigured(f"SECRET_KEY is {_weakness}")
if AUTH_USER_MODEL_HOSTED and not JWT_PRIVATE_KEY:
    raise ImproperlyConfigured("JWT_PRIVATE_KEY must be set where tokens are issued")
if AUTH_USER_MODEL_HOSTED and (_problem := _private_key_problem(JWT_PRIVATE_KEY)):
    raise ImproperlyConfigured(f"JWT_PRIVATE_KEY is {_problem}")
if not (AUTH_USER_MODEL_HOSTED or JWT_JWKS_URL or JWT_PUBLIC_KEYS):
    raise ImproperlyConfigured("JWT_JWKS_URL or JWT_PUBLIC_KEYS must be set")
if CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache")):
    raise ImproperlyConfigured("CACHE_URL must name a cache every process shares")

DEBUG = False
IS_PRODUCTION = True
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Persistent connections with health checks: a fresh PostgreSQL connection per
# request cost five-fold throughput on a 2-core machine.
for _db in DATABASES.values():
    if _db["ENGINE"] != "django.db.backends.sqlite3":
        _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60) or 60
        _db["CONN_HEALTH_CHECKS"] = True

# Believed from TRUSTED_PROXIES only (apps.common.proxies drops it otherwise).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Off only for a trial stack on plain HTTP (stack/split.py).
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# JSON log lines; /metrics only for an allow-listed network or the token.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
METRICS_PROTECTED = env.bool("METRICS_PROTECTED", default=True)
# The schema, the docs page and /readyz's details are for staff and probes.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)
READYZ_DETAILS_PUBLIC = env.bool("READYZ_DETAILS_PUBLIC", default=False)

# The connection comes from EMAIL_HOST, EMAIL_PORT, ... (base settings).
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
)
