"""What a run leaves behind stays out of the repository and the image context."""

from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_beat_keeps_its_schedule_outside_the_repository():
    schedule = Path(settings.CELERY_BEAT_SCHEDULE_FILENAME)

    assert schedule.is_absolute()
    assert not schedule.resolve().is_relative_to(ROOT)


@pytest.mark.parametrize(
    "generated",
    [".venv", ".git", "sent-emails", "db.sqlite3", ".test-databases", "staticfiles"],
)
def test_the_build_context_leaves_out_what_runs_generate(generated):
    patterns = (ROOT / ".dockerignore").read_text().split()

    assert any(
        Path(generated).match(pattern.rstrip("/").lstrip("/")) for pattern in patterns
    )
