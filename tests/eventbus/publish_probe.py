"""`python -m tests.eventbus.publish_probe N PREFIX`: publish N UserRegistered
events (e-mail PREFIX<i>@example.com), each in its own committed transaction,
in a fresh process configured by the environment; print the seconds each
publish + commit took, as JSON. Used to measure publishing with the broker
down, so the process's own Celery settings are the ones under test."""

import json
import os
import sys
import time
import uuid


def main(count: int, prefix: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.db import transaction

    from apps.common.db import alias_for
    from apps.eventbus.api import publish
    from apps.users.events import UserRegistered
    from tests.eventbus import probe

    probe.register()
    durations = []
    for i in range(count):
        started = time.perf_counter()
        with transaction.atomic(using=alias_for("users")):
            publish(UserRegistered(user_id=uuid.uuid4(), email=f"{prefix}{i}@x.com"))
        durations.append(time.perf_counter() - started)
    sys.stdout.write(json.dumps(durations) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
