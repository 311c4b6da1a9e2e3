import pytest
from django.db import InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView


class FailingView(APIView):
    permission_classes = [AllowAny]
    error: Exception = RuntimeError("unset")

    def get(self, request):
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("connection refused"),
        InterfaceError("connection already closed"),
    ],
)
def test_a_lost_database_is_a_retryable_503_problem(error):
    view = FailingView.as_view(error=error)

    response = view(APIRequestFactory().get("/api/v1/anything/")).render()

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    assert response.data == {
        "type": "https://errors.shop.example/database_unavailable",
        "title": "Database temporarily unavailable",
        "status": 503,
        "detail": "Try again in a few seconds.",
        "code": "database_unavailable",
        "retry_after": 5,
    }


@pytest.mark.parametrize(
    "error",
    [
        RedisConnectionError("Error 111 connecting to cache:6379"),
        RedisTimeoutError("Timeout reading from cache:6379"),
    ],
)
def test_a_lost_cache_is_a_retryable_503_problem(error):
    # The throttles and the payment circuit breaker call the cache's Redis.
    view = FailingView.as_view(error=error)

    response = view(APIRequestFactory().get("/api/v1/anything/")).render()

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.data["code"] == "cache_unavailable"


def test_unparsable_json_is_a_validation_problem_like_every_400():
    class EchoView(APIView):
        permission_classes = [AllowAny]

        def post(self, request):
            return Response(request.data)

    request = APIRequestFactory().post(
        "/api/v1/anything/", data=b"\x00", content_type="application/json"
    )
    response = EchoView.as_view()(request).render()

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.data["code"] == "parse_error"
    assert response.data["errors"] == {"non_field_errors": [response.data["detail"]]}
    assert response.data["detail"].startswith("JSON parse error")
