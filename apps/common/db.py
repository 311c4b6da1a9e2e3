"""Which database alias each app lives on, and the router that enforces it.

Models of the event bus (outbox, inbox, dead letters) exist in every app's
database: the outbox beside the publisher's data, the inbox beside the
consumer's, so each is written in the same transaction as the state it guards.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, models, transaction

EVERYWHERE_APPS = {"eventbus"}


def alias_for(app_label: str) -> str:
    """Django's own apps (auth, admin, sessions) live on `default`: with
    settings.HOME_APP, or with the first hosted app in a deployable without it."""
    return settings.APP_DATABASES.get(app_label, DEFAULT_DB_ALIAS)


def _label_of(owner: str | type[models.Model]) -> str:
    return owner if isinstance(owner, str) else owner._meta.app_label


def atomic_for(owner: str | type[models.Model]):
    """A transaction on the database of `owner`, an app label or any model of
    the app; it never spans two apps."""
    return transaction.atomic(using=alias_for(_label_of(owner)))


def on_commit_for(owner: str | type[models.Model], func) -> None:
    transaction.on_commit(func, using=alias_for(_label_of(owner)))


class AppDatabaseRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in EVERYWHERE_APPS:
            return None
        return alias_for(model._meta.app_label)

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints):
        return obj1._state.db == obj2._state.db

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in EVERYWHERE_APPS:
            return True
        return alias_for(app_label) == db
