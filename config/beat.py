"""Beat's liveness, behind Celery's documented scheduler extension point
(`beat_scheduler`): the scheduler touches BEAT_LIVENESS_FILE on every tick,
and `python -m config.beat MAX_AGE` (the Kubernetes exec probe) exits 0 only
while the file is younger than MAX_AGE seconds.

Beat ticks at least every CELERY_BEAT_MAX_LOOP_INTERVAL seconds, so a file
older than a few of those means a scheduler that hangs or died."""

import os
import sys
import tempfile
import time
from pathlib import Path

from celery.beat import PersistentScheduler


def liveness_file() -> Path:
    default = Path(tempfile.gettempdir()) / "shop-beat-alive"
    return Path(os.environ.get("BEAT_LIVENESS_FILE") or default)


class LivenessScheduler(PersistentScheduler):
    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        liveness_file().touch()
        return interval


def is_alive(*, max_age: float) -> bool:
    try:
        age = time.time() - liveness_file().stat().st_mtime
    except FileNotFoundError:
        return False
    return age <= max_age


if __name__ == "__main__":
    sys.exit(0 if is_alive(max_age=float(sys.argv[1])) else 1)
