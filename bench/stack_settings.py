"""Bench-only settings: production settings plus the reference endpoints of
bench/stack_urls.py. Only `make bench` uses this module."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.stack_urls"
