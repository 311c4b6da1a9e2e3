"""Settings of `bench/catalog.py`'s gunicorn: production settings plus the
bare reference endpoints of bench/catalog_urls.py. Nothing else uses them."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.catalog_urls"
