"""Which domain apps this process hosts (SHOP_APPS) and what follows from it.

Kept out of the settings module so the rules (validation, the installed apps
and the periodic jobs of a deployable) are testable on their own.
"""

from django.core.exceptions import ImproperlyConfigured

# Django's own tables (auth, admin, sessions) relate to the user model, so they
# live on the database of the app that holds it, the home app.
USER_MODEL = "users.User"
HOME_APP = USER_MODEL.partition(".")[0]
# The admin whose login the users app throttles (apps.users.admin_site), where
# users is hosted; Django's own admin elsewhere.
THROTTLED_ADMIN_APP = "apps.users.apps.ShopAdminConfig"
PLAIN_ADMIN_APP = "django.contrib.admin"
FRAMEWORK_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
# Issued tokens and their blacklist belong to the app holding the user model.
USER_MODEL_APPS = ["rest_framework_simplejwt.token_blacklist"]
# A deployable without that app has no accounts of its own: its admin's user
# is the staff member of the shared session, resolved through users' interface
# (apps.users.staff_replica; installed everywhere, used only there).
LOCAL_USER_MODEL = "staff_replica.StaffMember"
STAFF_REPLICA_APP = "apps.users.staff_replica"
# One process keeps sessions in its database; deployables share them through
# the cache, so one admin login at the gateway holds for every deployable.
DATABASE_SESSIONS = "django.contrib.sessions.backends.db"
SHARED_SESSIONS = "django.contrib.sessions.backends.cache"
LIBRARY_APPS = [
    "rest_framework",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
KERNEL_APPS = ["apps.common", "apps.eventbus"]
# The public prefixes under /api/v1/ of each app and the URL module serving each
# (config/urls.py mounts them; the gateway routes them).
API_ROUTES = {
    "users": {"auth": "apps.users.api.auth_urls", "users": "apps.users.api.urls"},
    "catalog": {"catalog": "apps.catalog.api.urls"},
    "inventory": {"inventory": "apps.inventory.api.urls"},
    "orders": {"orders": "apps.orders.api.urls", "cart": "apps.orders.api.cart_urls"},
}
# Not a domain app: the composition root of `manage.py seed_demo`, which needs
# every app's interface in-process.
DEMO_APP = "apps.demo"


def hosted_apps(*, requested: list[str], all_apps: list[str]) -> list[str]:
    """The requested apps in their canonical order; an unknown name or none at
    all refuses to start."""
    unknown = sorted(set(requested) - set(all_apps))
    if unknown or not requested:
        raise ImproperlyConfigured(
            f"SHOP_APPS must name some of {', '.join(all_apps)}; got {requested!r}"
        )
    return [app for app in all_apps if app in requested]


def installed_apps(*, hosted: list[str], all_apps: list[str], home_app: str) -> list:
    """The kernel and the hosted apps only; the token blacklist only beside
    the user model."""
    user_model_apps = USER_MODEL_APPS if home_app in hosted else []
    admin = THROTTLED_ADMIN_APP if home_app in hosted else PLAIN_ADMIN_APP
    domain = [f"apps.{app}" for app in hosted]
    demo = [DEMO_APP] if hosted == all_apps else []
    return [
        admin,
        *FRAMEWORK_APPS,
        *LIBRARY_APPS,
        *user_model_apps,
        *KERNEL_APPS,
        STAFF_REPLICA_APP,
        *domain,
        *demo,
    ]


def session_engine(*, hosted: list[str], all_apps: list[str]) -> str:
    return DATABASE_SESSIONS if hosted == all_apps else SHARED_SESSIONS


def hosted_jobs(*, schedule: dict, hosted: list[str]) -> dict:
    """The periodic jobs of the hosted apps: each runs on its app's queue."""
    return {
        name: job for name, job in schedule.items() if job["options"]["queue"] in hosted
    }
