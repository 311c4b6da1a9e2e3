"""Bench-only settings: production settings plus the reference endpoints of
bench/urls.py. Only `make bench` uses this module."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
