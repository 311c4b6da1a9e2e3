"""Settings shared by every environment; every value comes from the environment.

With no environment variable set the project runs embedded: SQLite, events
delivered in-process, a generated development secret.
"""

import os
import secrets
import tempfile
import warnings
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from apps.common.local_files import read_or_create
from config.databases import build_databases
from config.topology import (
    HOME_APP,
    LOCAL_USER_MODEL,
    USER_MODEL,
    hosted_apps,
    hosted_jobs,
    installed_apps,
    session_engine,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# Embedded: a key made once per install, kept in a git-ignored file; a key
# written in the repository would sign sessions of every install that kept it.
SECRET_KEY = env("SECRET_KEY", default="") or read_or_create(
    BASE_DIR / ".django-secret-key", make=lambda: secrets.token_urlsafe(50)
)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"]
)

# SHOP_APPS: the domain apps this process hosts (docs/topologies.md); all of
# them by default, one or some in a deployable of split mode.
ALL_DOMAIN_APPS = ["users", "catalog", "inventory", "orders"]
DOMAIN_APPS = hosted_apps(
    requested=env.list("SHOP_APPS", default=ALL_DOMAIN_APPS), all_apps=ALL_DOMAIN_APPS
)
# A deployable without the home app has no accounts: its admin's user comes
# from the shared session and users' interface (docs/topologies.md).
AUTH_USER_MODEL = USER_MODEL if HOME_APP in DOMAIN_APPS else LOCAL_USER_MODEL
INSTALLED_APPS = installed_apps(
    hosted=DOMAIN_APPS, all_apps=ALL_DOMAIN_APPS, home_app=HOME_APP
)

MIDDLEWARE = [
    "apps.common.proxies.TrustedProxyMiddleware",
    "apps.common.middleware.CorrelationIdMiddleware",
    "apps.common.middleware.AccessLogMiddleware",
    "apps.common.middleware.ApiProblemNotFoundMiddleware",
    "apps.common.middleware.ApiSlashMiddleware",
    "apps.common.embedded_beat.EmbeddedBeatMiddleware",
    # Before anything that may answer, so every API answer carries the headers.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Stored anonymous reads leave here, skipping what follows (its headers are
    # stored with them): apps.common.http_cache.
    "apps.common.http_cache.ReadCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.common.middleware.ContentSecurityPolicyMiddleware",
]
# Networks of the proxies in front of the app (ingress, gateway): only they may
# name the client (X-Forwarded-For) and the scheme (X-Forwarded-Proto).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# The HTML pages load only the site's own assets; the docs page's inline style
# is the one exception.
CONTENT_SECURITY_POLICY = env(
    "CONTENT_SECURITY_POLICY",
    default="default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # A shop's own templates (e-mails: users/email/) before the apps' own.
        "DIRS": env.list("TEMPLATE_DIRS", default=[]),
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# --- Databases -------------------------------------------------------------
# DATABASE_ROUTING=single: every app on `default`.
# DATABASE_ROUTING=per-app: users (and Django's own tables) on `default`, every
# other app on an alias of its own, from DATABASE_URL_<APP> or derived from
# DATABASE_URL by suffixing the app name (shop -> shop_catalog).
DATABASE_ROUTING = env("DATABASE_ROUTING", default="single")
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=0)
DATABASES, APP_DATABASES = build_databases(
    env,
    base_dir=BASE_DIR,
    routing=DATABASE_ROUTING,
    apps=DOMAIN_APPS,
    home_app=HOME_APP,
    conn_max_age=CONN_MAX_AGE,
)
DATABASE_ROUTERS = ["apps.common.db.AppDatabaseRouter"]

# --- Auth ------------------------------------------------------------------
# ModelBackend beside the user model; elsewhere the admin session's staff
# member, asked of users' interface (apps/users/staff_replica).
AUTHENTICATION_BACKENDS = ["apps.users.staff_replica.backends.StaffSessionBackend"]
SESSION_ENGINE = session_engine(hosted=DOMAIN_APPS, all_apps=ALL_DOMAIN_APPS)
PASSWORD_HASHERS = [
    "apps.users.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- I18N / static ---------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# The app serves its own static files (the API docs' assets included, so the
# docs page needs no CDN): from STATIC_ROOT after collectstatic, or straight
# from the apps' static folders where finders are on (local, tests).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=False)
# With finders on, a missing STATIC_ROOT (no collectstatic yet) is expected.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
# A request body above this is refused (413 for the API, 400 for a form).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1_048_576)
DEFAULT_CURRENCY = env("DEFAULT_CURRENCY", default="EUR")
# Catalog prices include VAT (gross, the European shop's habit) or not (net,
# tax added on top at checkout): docs/orders.md "Tax and vouchers".
PRICES_INCLUDE_TAX = env.bool("PRICES_INCLUDE_TAX", default=True)

# --- media: uploaded files (product images) ----------------------------------
# MEDIA_STORAGE picks where uploads go: `local` (MEDIA_ROOT, served by
# runserver under `make run` only) or `s3` (any S3-compatible bucket through
# django-storages; credentials from boto3's own AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY or the instance's role, never from these settings).
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
if MEDIA_STORAGE == "local":
    _media_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
elif MEDIA_STORAGE == "s3":
    if not env("AWS_STORAGE_BUCKET_NAME", default=""):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
    # Unset and empty (compose passes every variable) mean the same: none.
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "location": env("AWS_LOCATION", default=""),
            # Product images are public: plain URLs a CDN and browsers cache.
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            "default_acl": env("AWS_DEFAULT_ACL", default="") or None,
            # Names are random already; never replace another image's file.
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured("MEDIA_STORAGE: local or s3")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Product images: refused above these (a 400 naming `image`); thumbnails are
# made once at upload, fitting a square of each size (the listing's, the
# detail's).
CATALOG_IMAGE_MAX_BYTES = env.int("CATALOG_IMAGE_MAX_BYTES", default=5_242_880)
CATALOG_IMAGE_MAX_SIDE = env.int("CATALOG_IMAGE_MAX_SIDE", default=4096)
# The largest upload request: the image plus room for the form's other fields
# and the multipart boundaries; the split gateway lets these routes take it.
CATALOG_IMAGE_UPLOAD_MAX_BODY = CATALOG_IMAGE_MAX_BYTES + 64 * 1024
CATALOG_IMAGE_THUMBNAIL_SIZES = {
    "listing": env.int("CATALOG_IMAGE_LISTING_SIZE", default=200),
    "detail": env.int("CATALOG_IMAGE_DETAIL_SIZE", default=600),
}
# Catalog search (docs/catalog.md): how close a typed word must be to a word of
# the products (pg_trgm similarity, 0..1) to be corrected to it, and
# the lower bounds of the price bands the listing's facets count.
CATALOG_SEARCH_TYPO_SIMILARITY = env.float(
    "CATALOG_SEARCH_TYPO_SIMILARITY", default=0.25
)
CATALOG_PRICE_BANDS = env.list(
    "CATALOG_PRICE_BANDS", cast=int, default=[0, 25, 50, 100, 250, 500]
)

# --- CORS: browser front ends on other origins (none allowed by default) ------
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_HEADERS = [
    "authorization",
    "content-type",
    "idempotency-key",
    "x-request-id",
]
CORS_EXPOSE_HEADERS = ["retry-after", "x-request-id"]

# --- REST framework --------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Verified with the published keys; refuses access tokens a logout ended.
        "apps.common.authentication.BearerTokenAuthentication",
        # A session only for the browsable API's HTML pages (/api-auth/login/).
        "apps.common.browsable.BrowsableApiSessionAuthentication",
    ],
    "VIEW_NAME_FUNCTION": "apps.common.browsable.view_name",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["apps.common.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "apps.common.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "apps.common.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.common.errors.problem_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        # Login attempts (docs/security.md): per client address, per account
        # from one client, and per account for clients that already failed.
        "login_ip": env("THROTTLE_LOGIN_IP", default="30/min"),
        "login_account_client": env("THROTTLE_LOGIN_ACCOUNT_CLIENT", default="10/hour"),
        "login_account": env("THROTTLE_LOGIN_ACCOUNT", default="50/hour"),
        # Per client address (TRUSTED_PROXIES decides which one); generous for
        # a shared office or campus address, tight for a script.
        "register": env("THROTTLE_REGISTER", default="30/hour"),
        # Password reset e-mails: per client address and per e-mail address.
        "account_mail_ip": env("THROTTLE_ACCOUNT_MAIL_IP", default="20/hour"),
        "account_mail_address": env("THROTTLE_ACCOUNT_MAIL_ADDRESS", default="5/hour"),
        "order_place": env("THROTTLE_ORDER_PLACE", default="60/min"),
    },
}
# Orders' three `status` enums (the order's, a payment's and a cart line's) get
# a name each, where orders is hosted: the import strings need its modules.
ORDERS_STATUS_ENUMS = (
    {
        "OrderStatusEnum": "apps.orders.models.OrderStatus",
        "PaymentStatusEnum": "apps.orders.models.PaymentStatus",
        "CartLineStatusEnum": "apps.orders.services.cart.LINE_STATUSES",
    }
    if "orders" in DOMAIN_APPS
    else {}
)
SPECTACULAR_SETTINGS = {
    "TITLE": "Shop API",
    "DESCRIPTION": "Modular-monolith e-commerce backend.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["apps.common.permissions.DocsAudience"],
    # Staff reach the docs with the admin's session as well as a bearer token.
    "SERVE_AUTHENTICATION": [
        "apps.common.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": ORDERS_STATUS_ENUMS,
    # Operation ids start after the version: catalog_products_create.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The API's one authentication; the browsable pages' session is not part of it.
    "AUTHENTICATION_WHITELIST": [
        "apps.common.authentication.BearerTokenAuthentication"
    ],
    # Problem bodies, auth and Idempotency-Key documented once for every view.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.common.schema.document_shared_behaviour",
    ],
}
# Who may read /api/schema/ and /api/docs/ (else staff), and /readyz's
# per-check details (else its status alone).
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=True)
READYZ_DETAILS_PUBLIC = env.bool("READYZ_DETAILS_PUBLIC", default=True)
CSRF_FAILURE_VIEW = "apps.common.error_views.csrf_failure"
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(
        minutes=env.int("JWT_ACCESS_MINUTES", default=5)
    ),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "EdDSA",
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    # Every token carries a digest of the user's password hash; a password
    # change (API, admin or ops) makes all earlier access tokens invalid.
    # No digest of the password hash in tokens: a new password ends them
    # through the cache (apps.common.authentication.user_tokens_end).
    "CHECK_REVOKE_TOKEN": False,
}

# Access tokens (docs/users.md): the deployable hosting the user model signs
# with JWT_PRIVATE_KEY (Ed25519 PEM; embedded: a key generated once into
# JWT_EMBEDDED_KEY_FILE, git-ignored); every deployable verifies with its own
# public key, JWT_PUBLIC_KEYS (PEMs, comma-separated) and the JWKS at
# JWT_JWKS_URL, fetched again after JWT_JWKS_CACHE_SECONDS.
AUTH_USER_MODEL_HOSTED = HOME_APP in DOMAIN_APPS
JWT_PRIVATE_KEY = env("JWT_PRIVATE_KEY", default="")
JWT_EMBEDDED_KEY_FILE = BASE_DIR / ".jwt-private-key.pem"
JWT_PUBLIC_KEYS = env.list("JWT_PUBLIC_KEYS", default=[])
JWT_JWKS_URL = env("JWT_JWKS_URL", default="")
JWT_JWKS_CACHE_SECONDS = env.int("JWT_JWKS_CACHE_SECONDS", default=300)

# --- Cache (throttling, idempotency locks) ---------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "apps.common.cache.RedisCacheReusingClients"

# The catalog's anonymous reads served from CACHES (docs/catalog.md#cached-reads):
# CATALOG_CACHE=off serves every read from the database; entries expire after
# CATALOG_CACHE_SECONDS to bound memory (events, not this, keep them fresh).
CATALOG_CACHE = env("CATALOG_CACHE", default="on") != "off"
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=600)

# --- Events and Celery -----------------------------------------------------
# No broker: events are delivered in-process after commit (embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
EVENTS_DELIVERY = "celery" if CELERY_BROKER_URL else "inprocess"
# No broker, no beat: the web process runs due periodic jobs after a request.
EMBEDDED_BEAT = env.bool("EMBEDDED_BEAT", default=not CELERY_BROKER_URL)
EVENTS_MAX_ATTEMPTS = env.int("EVENTS_MAX_ATTEMPTS", default=5)
EVENTS_RELAY_INTERVAL_SECONDS = env.float("EVENTS_RELAY_INTERVAL_SECONDS", default=5.0)
EVENTS_RELAY_BATCH_SIZE = env.int("EVENTS_RELAY_BATCH_SIZE", default=200)
EVENTS_RETENTION_DAYS = env.int("EVENTS_RETENTION_DAYS", default=7)
EVENTS_PUBLISH_TIMEOUT_SECONDS = env.float(
    "EVENTS_PUBLISH_TIMEOUT_SECONDS", default=0.5
)
# The relay leaves younger rows to their after-commit dispatch (Celery delivery).
EVENTS_RELAY_GRACE_SECONDS = env.float("EVENTS_RELAY_GRACE_SECONDS", default=2.0)
# The broker hand-over's circuit breaker (apps.common.breaker): after this many
# failed hand-overs every process leaves new rows to the relay for that long.
EVENTS_BROKER_BREAKER_THRESHOLD = env.int("EVENTS_BROKER_BREAKER_THRESHOLD", default=1)
EVENTS_BROKER_BREAKER_SECONDS = env.float("EVENTS_BROKER_BREAKER_SECONDS", default=10.0)
# A consume task applies at most this many of the events its handler published
# for queues its worker serves itself, after its own (0: all go through the broker).
EVENTS_WORKER_CONTINUATIONS = env.int("EVENTS_WORKER_CONTINUATIONS", default=16)
# Consumer retries: base * 2**retry seconds, capped (below the visibility timeout).
EVENTS_RETRY_BASE_SECONDS = env.float("EVENTS_RETRY_BASE_SECONDS", default=1.0)
EVENTS_RETRY_MAX_SECONDS = env.float("EVENTS_RETRY_MAX_SECONDS", default=60.0)

# The event types each app consumes, known to every process so that a publisher
# hands events to apps hosted elsewhere too; `manage.py check` holds each hosted
# app's handlers to its line here.
EVENT_SUBSCRIPTIONS = {
    "users": [
        "users.user.registered.v1",
        "orders.order.confirmed.v1",
        "orders.order.failed.v1",
        "orders.order.paid.v1",
        "orders.order.refunded.v1",
        "orders.order.cancelled.v1",
        "orders.order.shipped.v1",
        "orders.order.delivered.v1",
    ],
    "catalog": [
        "inventory.stock.availability_changed.v1",
        # Its own changes, which make its cached reads stale (docs/catalog.md).
        "catalog.product.created.v1",
        "catalog.product.changed.v1",
        "catalog.category.changed.v1",
    ],
    "inventory": [
        "catalog.product.created.v1",
        "orders.order.placed.v1",
        "orders.order.cancelled.v1",
        "orders.order.paid.v1",
        "orders.order.refunded.v1",
    ],
    "orders": [
        "inventory.stock.reserved.v1",
        "inventory.stock.reservation_failed.v1",
        "inventory.reservation.expired.v1",
        "users.user.erased.v1",
    ],
}

# Beat's schedule state is disposable; it never lands in the working tree.
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME",
    default=str(Path(tempfile.gettempdir()) / "shop-celerybeat-schedule"),
)
# Beat touches a file every tick, at least every loop interval, for its
# liveness probe (config/beat.py).
CELERY_BEAT_SCHEDULER = "config.beat:LivenessScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 30
CELERY_TASK_HARD_TIME_LIMIT = env.int("CELERY_TASK_HARD_TIME_LIMIT", default=60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=45)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Pool processes per worker: one more than the cores, as handlers wait on the
# database for a third of their time (bench/results/history.md, 2026-12-06).
CELERY_WORKER_CONCURRENCY = env.int(
    "WORKER_CONCURRENCY", default=(os.cpu_count() or 1) + 1
)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_HARD_TIME_LIMIT
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes every database connection before and after each
# task unless this is set: a new PostgreSQL connection per task.
# Connections are checked per task in config/celery.py instead (broken or older
# than CONN_MAX_AGE are dropped); the fixup only recycles them every N tasks.
CELERY_DB_REUSE_MAX = 1000
# Workers log through settings.LOGGING (JSON, event ids), not Celery's own setup.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Redis caveats: an unacked message is redelivered after visibility_timeout, so it
# must exceed the longest task (twice the hard limit) - set for broker and results.
_VISIBILITY = {
    "visibility_timeout": env.int(
        "CELERY_VISIBILITY_TIMEOUT", default=2 * CELERY_TASK_HARD_TIME_LIMIT + 60
    )
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **_VISIBILITY,
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = dict(_VISIBILITY)
# Every periodic job runs on the queue of the app it serves, so the workers of
# `-Q users,catalog,inventory,orders` (or one extracted app's worker) run them.
CELERY_BEAT_SCHEDULE = hosted_jobs(
    hosted=DOMAIN_APPS,
    schedule={
        **{
            f"eventbus-relay-{app}": {
                "task": "eventbus.relay",
                "schedule": EVENTS_RELAY_INTERVAL_SECONDS,
                "kwargs": {"producer": app},
                "options": {"queue": app, "expires": EVENTS_RELAY_INTERVAL_SECONDS},
            }
            for app in DOMAIN_APPS
        },
        **{
            f"eventbus-prune-{app}": {
                "task": "eventbus.prune",
                "schedule": 3600.0,
                "kwargs": {"producer": app},
                "options": {"queue": app},
            }
            for app in DOMAIN_APPS
        },
        "inventory-expire-reservations": {
            "task": "inventory.expire_reservations",
            "schedule": env.float("RESERVATION_EXPIRY_INTERVAL_SECONDS", default=60.0),
            "options": {"queue": "inventory"},
        },
        "orders-idempotency-prune": {
            "task": "orders.idempotency_prune",
            "schedule": 3600.0,
            "options": {"queue": "orders"},
        },
        "orders-expire-carts": {
            "task": "orders.expire_carts",
            "schedule": 3600.0,
            "options": {"queue": "orders"},
        },
        "orders-settle-payments": {
            "task": "orders.settle_payments",
            "schedule": env.float("ORDERS_SETTLE_INTERVAL_SECONDS", default=60.0),
            "options": {"queue": "orders"},
        },
        "users-send-emails": {
            "task": "users.send_emails",
            "schedule": 60.0,
            "options": {"queue": "users"},
        },
        "users-prune-expired-tokens": {
            "task": "users.prune_expired_tokens",
            "schedule": 3600.0,
            "options": {"queue": "users"},
        },
    },
)

# --- Calls to apps hosted by other deployables (docs/architecture.md) ------
# What answers a call to an app not hosted here (apps/common/remote/).
INTERFACE_TRANSPORT = "apps.common.remote.client.call"
# Where each app not hosted here is reached: SERVICE_URL_<APP>.
SERVICE_URLS = {
    app: env(f"SERVICE_URL_{app.upper()}")
    for app in ALL_DOMAIN_APPS
    if env(f"SERVICE_URL_{app.upper()}", default="")
}
# The shared secret that signs every internal call; every deployable holds it.
SERVICE_SECRET = env("SERVICE_SECRET", default=SECRET_KEY + "-service")
# A signed call older or newer than this is refused (its nonce is kept twice as long).
SERVICE_SIGNATURE_WINDOW_SECONDS = env.int(
    "SERVICE_SIGNATURE_WINDOW_SECONDS", default=30
)
SERVICE_CONNECT_TIMEOUT_SECONDS = env.float(
    "SERVICE_CONNECT_TIMEOUT_SECONDS", default=0.5
)
SERVICE_READ_TIMEOUT_SECONDS = env.float("SERVICE_READ_TIMEOUT_SECONDS", default=5.0)
# Tries of an idempotent call (a write is tried once), the first backoff doubling.
SERVICE_RETRY_ATTEMPTS = env.int("SERVICE_RETRY_ATTEMPTS", default=3)
SERVICE_RETRY_BACKOFF_SECONDS = env.float("SERVICE_RETRY_BACKOFF_SECONDS", default=0.05)
# One breaker per target app: failed calls that open it, seconds it stays open.
SERVICE_BREAKER_THRESHOLD = env.int("SERVICE_BREAKER_THRESHOLD", default=5)
SERVICE_BREAKER_SECONDS = env.float("SERVICE_BREAKER_SECONDS", default=10.0)

# --- Domain settings -------------------------------------------------------
# Accounts (docs/users.md): what an account may do before its e-mail address
# is verified: "order" (everything; verification pending), "browse" (log in,
# profile, export, erase; placing orders is refused) or "nothing" (no login
# until verified; the login answers as for a wrong password).
UNVERIFIED_ACCOUNTS_MAY = env("UNVERIFIED_ACCOUNTS_MAY", default="order")
if UNVERIFIED_ACCOUNTS_MAY not in ("order", "browse", "nothing"):
    raise ImproperlyConfigured("UNVERIFIED_ACCOUNTS_MAY: order, browse or nothing")
PASSWORD_RESET_MINUTES = env.int("PASSWORD_RESET_MINUTES", default=60)
VERIFY_EMAIL_HOURS = env.int("VERIFY_EMAIL_HOURS", default=72)
# The shop front end's pages that take the token of an account e-mail's link.
PASSWORD_RESET_URL = env(
    "PASSWORD_RESET_URL",
    default="http://localhost:8000/account/reset-password?token={token}",
)
VERIFY_EMAIL_URL = env(
    "VERIFY_EMAIL_URL",
    default="http://localhost:8000/account/verify-email?token={token}",
)
# Where the e-mails to a guest send them: their order behind its token (the
# API's own page by default; a shop front end takes `{order_id}` and `{token}`).
GUEST_ORDER_URL = env(
    "GUEST_ORDER_URL",
    default="http://localhost:8000/api/v1/orders/guest/{order_id}/{token}/",
)
RESERVATION_TIMEOUT_MINUTES = env.int("RESERVATION_TIMEOUT_MINUTES", default=15)
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
# Carts untouched this long are deleted by beat's `orders.expire_carts`.
CART_TTL_HOURS = env.int("CART_TTL_HOURS", default=72)

# Payments (docs/orders.md): the provider's adapter class, its calls' retries
# (tries, first backoff, doubled each time) and circuit breaker (consecutive
# transient failures that open it, seconds it stays open).
# Units of one product one customer may hold in unpaid orders (a hoard locks
# stock for the reservation timeout), and whether a failed order's reason
# shows the exact available quantity.
ORDERS_MAX_UNPAID_UNITS_PER_PRODUCT = env.int(
    "ORDERS_MAX_UNPAID_UNITS_PER_PRODUCT", default=20
)
ORDERS_DISCLOSE_STOCK = env.bool("ORDERS_DISCLOSE_STOCK", default=False)
ORDERS_PAYMENT_GATEWAY = env(
    "ORDERS_PAYMENT_GATEWAY", default="apps.orders.gateway.TestGateway"
)
ORDERS_GATEWAY_TRIES = env.int("ORDERS_GATEWAY_TRIES", default=3)
ORDERS_GATEWAY_BACKOFF_SECONDS = env.float(
    "ORDERS_GATEWAY_BACKOFF_SECONDS", default=0.1
)
ORDERS_BREAKER_THRESHOLD = env.int("ORDERS_BREAKER_THRESHOLD", default=5)
ORDERS_BREAKER_RESET_SECONDS = env.float("ORDERS_BREAKER_RESET_SECONDS", default=30.0)
# A `processing` payment younger than this is left to the pay request working
# on it (longer than a pay request's retries).
ORDERS_SETTLE_GRACE_SECONDS = env.float("ORDERS_SETTLE_GRACE_SECONDS", default=60.0)

# config.settings.production sets this; `seed_demo` then refuses to create its
# accounts with known passwords unless given --allow-production.
IS_PRODUCTION = False
DEMO_STAFF_EMAIL = env("DEMO_STAFF_EMAIL", default="staff@example.com")
DEMO_STAFF_PASSWORD = env("DEMO_STAFF_PASSWORD", default="staff-demo-pass-1")
DEMO_CUSTOMER_EMAIL = env("DEMO_CUSTOMER_EMAIL", default="customer@example.com")
DEMO_CUSTOMER_PASSWORD = env("DEMO_CUSTOMER_PASSWORD", default="customer-demo-pass-1")

# E-mail: one file per message in EMAIL_FILE_PATH here (the server log stays
# readable), SMTP in production (config.settings.production) with these.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-emails"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="shop@example.com")
# Seconds an SMTP connection may block a sender (the order e-mail lease is longer).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Observability (docs/operations.md) --------------------------------------
# /metrics: open unless METRICS_PROTECTED; then only from METRICS_ALLOWED_CIDRS
# or with `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_PROTECTED = env.bool("METRICS_PROTECTED", default=False)
METRICS_ALLOWED_CIDRS = env.list("METRICS_ALLOWED_CIDRS", default=[])
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# LOG_FORMAT=plain: readable lines; json: one JSON object per line.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "apps.common.logging.ContextFilter"},
        "redact": {"()": "apps.common.logging.RedactingFilter"},
    },
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s "
            "corr=%(correlation_id)s user=%(user_id)s event=%(event_type)s:"
            "%(event_id)s consumer=%(consumer)s] %(message)s"
        },
        "json": {
            "()": "apps.common.logging.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s "
            "%(request_id)s %(correlation_id)s %(user_id)s %(event_id)s "
            "%(event_type)s %(consumer)s",
            "rename_fields": {"asctime": "time", "levelname": "level"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
