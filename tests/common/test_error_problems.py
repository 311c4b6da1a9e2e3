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
    ("error", "service"),
    [
        (OperationalError("connection refused"), "database"),
        (InterfaceError("connection already closed"), "database"),
        # The throttles and the payment circuit breaker call the cache's Redis.
        (RedisConnectionError("Error 111 connecting to cache:6379"), "cache"),
        (RedisTimeoutError("Timeout reading from cache:6379"), "cache"),
    ],
)
def test_a_lost_database_or_cache_is_a_retryable_503_problem(error, service):
    view = FailingView.as_view(error=error)

    response = view(APIRequestFactory().get("/api/v1/anything/")).render()

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    assert response.data == {
        "type": f"https://errors.shop.example/{service}_unavailable",
        "title": f"{service.capitalize()} temporarily unavailable",
        "status": 503,
        "detail": "Try again in a few seconds.",
        "code": f"{service}_unavailable",
        "retry_after": 5,
    }


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
