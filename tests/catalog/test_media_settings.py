"""Where uploads are stored is chosen by the environment (settings level: the
settings are imported in a fresh process; no network)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOW_STORAGE = """
import django
django.setup()
from django.core.files.storage import default_storage, storages
storage = storages["default"]
print(type(storage).__module__, type(storage).__name__)
print(default_storage.url("products/p/a.jpg"))
"""
S3_ENV = {
    "MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "shop-media",
    "AWS_S3_ENDPOINT_URL": "https://objects.example.com",
}


def show_storage(**env) -> subprocess.CompletedProcess:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "MEDIA_")) and k != "DJANGO_SETTINGS_MODULE"
    }
    return subprocess.run(
        [sys.executable, "-c", SHOW_STORAGE],
        cwd=ROOT,
        env={**inherited, "DJANGO_SETTINGS_MODULE": "config.settings.local", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_local_media_is_the_default():
    result = show_storage()

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "django.core.files.storage.filesystem FileSystemStorage",
        "/media/products/p/a.jpg",
    ]


def test_s3_is_chosen_by_the_environment():
    result = show_storage(**S3_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "storages.backends.s3 S3Storage",
        "https://objects.example.com/shop-media/products/p/a.jpg",
    ]


def test_s3_with_a_cdn_domain_serves_plain_urls_from_it():
    result = show_storage(**S3_ENV, AWS_S3_CUSTOM_DOMAIN="cdn.example.com")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "https://cdn.example.com/products/p/a.jpg"


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({"MEDIA_STORAGE": "s3"}, "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE: local or s3"),
    ],
)
def test_an_incomplete_or_unknown_media_storage_is_refused(env, refusal):
    result = show_storage(**env)

    assert result.returncode != 0
    assert refusal in result.stderr
