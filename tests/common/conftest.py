import io
import json
import logging

import pytest
from django.conf import settings as django_settings
from django.utils.module_loading import import_string

from apps.common.logging import ContextFilter, RedactingFilter


@pytest.fixture
def probe_urls(settings):
    settings.ROOT_URLCONF = "tests.common.urls"


class LogCapture:
    """Everything logged, formatted exactly as the console handler would."""

    def __init__(self, fmt: str):
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        config = dict(django_settings.LOGGING["formatters"][fmt])
        factory = import_string(config.pop("()", "logging.Formatter"))
        formatter = factory(config.pop("format"), **config)
        self.handler.setFormatter(formatter)
        self.handler.addFilter(ContextFilter())
        self.handler.addFilter(RedactingFilter())

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines() if line]


def _capture(fmt):
    capture = LogCapture(fmt)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture.handler)
    root.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(capture.handler)
        root.setLevel(old_level)


@pytest.fixture
def json_logs():
    yield from _capture("json")


@pytest.fixture
def plain_logs():
    yield from _capture("plain")
