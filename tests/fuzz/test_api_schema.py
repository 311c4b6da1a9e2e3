"""API fuzzing: schemathesis against the app's own OpenAPI schema.

Every operation of /api/schema/ is called with generated positive and negative
data as an anonymous caller, a customer and a staff user (JWT), through the
WSGI application (no server). A fixed seed and a bounded number of examples
per operation keep the run deterministic and short. Checks:

- not_a_server_error: no 5xx;
- response_schema_conformance: a documented response matches its schema;
- negative_data_rejection: input that violates the schema is refused (4xx).

Each role prints one figure line: operations, generated cases, failures.
"""

import os
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS
from schemathesis.core.failures import FailureGroup

from tests.conftest import make_user
from tests.figures import report_figure

SEED = 20261124
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "6"))
SCHEMA_PATH = "/api/schema/?format=json"
CHECK_NAMES = (
    "not_a_server_error",
    "response_schema_conformance",
    "negative_data_rejection",
)


@pytest.fixture(scope="module")
def api_schema(django_db_blocker):
    # Loading the schema touches no table, but the end-of-request signal may
    # look at a connection an earlier test left open.
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi(SCHEMA_PATH, get_wsgi_application())


@pytest.fixture
def wsgi_requests_in_test_transaction():
    """Requests sent straight to the WSGI handler must not close the test's
    connection (Django's test client disconnects the same signal handlers)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _bearer_for(role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    user = make_user(email=f"fuzz-{role}@example.com", is_staff=role == "staff")
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


def _fuzz_operation(operation, mode, headers, checks, stats, failures):
    @seed(SEED)
    @settings(
        max_examples=MAX_EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        stats[mode.value] += 1
        response = case.call(headers=headers)
        stats[f"{response.status_code // 100}xx"] += 1
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except FailureGroup as exc:
            # Recorded rather than raised: no shrinking, so the run stays bounded.
            titles = sorted({failure.title for failure in exc.exceptions})
            kind = (
                f"{operation.label} [{mode.value}] {response.status_code}: "
                + ", ".join(titles)
            )
            failures.setdefault(kind, str(exc))

    try:
        run()
    except Unsatisfiable:
        stats["unsatisfiable"] += 1  # e.g. nothing to negate in a parameterless GET


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "customer", "staff"])
def test_api_schema_holds_under_fuzzing(
    role, api_schema, wsgi_requests_in_test_transaction, capsys
):
    headers = _bearer_for(role)
    checks = [check for check in CHECKS.get_all() if check.__name__ in CHECK_NAMES]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    stats, failures = Counter(), {}

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_operation(operation, mode, headers, checks, stats, failures)

    report_figure(
        capsys,
        f"fuzz[{role}]: {len(operations)} operations, "
        f"{stats['positive'] + stats['negative']} cases "
        f"({stats['positive']} positive, {stats['negative']} negative, "
        f"seed {SEED}, <= {MAX_EXAMPLES} per operation and mode), "
        f"answers {stats['2xx']} 2xx / {stats['4xx']} 4xx / {stats['5xx']} 5xx, "
        f"{len(failures)} distinct failures",
    )
    assert len(checks) == len(CHECK_NAMES)
    assert operations, "the schema lists no operation"
    assert stats["2xx"] > 0, "no request was accepted: authentication is broken"
    assert not failures, (
        "\n".join(failures) + "\n\nFirst:\n" + next(iter(failures.values()))
    )
