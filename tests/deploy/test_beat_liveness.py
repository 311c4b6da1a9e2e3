"""Beat shows it is alive: a real `celery beat` touches its liveness file
every tick, and the probe (`python -m config.beat MAX_AGE`) fails on a file
that is missing or too old."""

import os
import signal
import subprocess
import time

from tests.deploy.conftest import BIN, ROOT, run

PROBE = [BIN / "python", "-m", "config.beat", "120"]


def test_a_running_beat_keeps_its_liveness_file_fresh(tmp_path):
    alive = tmp_path / "alive"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": "memory://",
        "BEAT_LIVENESS_FILE": str(alive),
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "schedule"),
    }
    beat = subprocess.Popen(
        [BIN / "celery", "-A", "config", "beat", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not alive.exists() and time.monotonic() < deadline:
            assert beat.poll() is None, beat.stderr.read().decode()
            time.sleep(0.3)
        first = alive.stat().st_mtime_ns
        while alive.stat().st_mtime_ns == first and time.monotonic() < deadline:
            time.sleep(0.3)  # the relay runs every 5 s: the next tick is near

        assert alive.stat().st_mtime_ns > first
        assert run(PROBE, BEAT_LIVENESS_FILE=str(alive)).returncode == 0
    finally:
        os.killpg(beat.pid, signal.SIGTERM)
        beat.wait(timeout=20)


def test_the_probe_fails_without_a_file_or_with_a_stale_one(tmp_path):
    alive = tmp_path / "alive"

    missing = run(PROBE, BEAT_LIVENESS_FILE=str(alive))
    alive.touch()
    an_hour_ago = time.time() - 3600
    os.utime(alive, (an_hour_ago, an_hour_ago))
    stale = run(PROBE, BEAT_LIVENESS_FILE=str(alive))

    assert missing.returncode == 1
    assert stale.returncode == 1
