"""Production settings refuse what would make a limit or a key worthless."""

import pytest

from tests.deploy.conftest import BIN, PRODUCTION_ENV, run

IMPORT = [BIN / "python", "-c", "import django; django.setup()"]


@pytest.mark.parametrize("missing", ["CACHE_URL", "ORDERS_PAYMENT_GATEWAY"])
def test_production_needs_a_shared_cache_and_a_named_gateway(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = run(IMPORT, drop=(missing,), **env)

    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_production_refuses_a_cache_in_each_process_memory():
    result = run(IMPORT, **{**PRODUCTION_ENV, "CACHE_URL": "locmemcache://"})

    assert result.returncode != 0
    assert "CACHE_URL must name a cache every process shares" in result.stderr


def test_production_says_so_when_it_runs_the_test_gateway():
    result = run(IMPORT, **PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "production runs the test payment gateway" in result.stderr
