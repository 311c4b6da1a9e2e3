"""The project's URLs plus a few probe views the kernel tests need.

The probes stand in for app views (orders' create and pay, a handler-causing
write, failures) so the kernel's behaviour is tested without an app's code.
"""

import logging
import uuid

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.db import atomic_for
from apps.eventbus.api import publish
from apps.users.events import UserRegistered
from config.urls import *  # noqa: F403 - handler400..500 included
from config.urls import urlpatterns as project_urlpatterns

logger = logging.getLogger("tests.probe")


class ProbeInput(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1)


class ProbeOutput(serializers.Serializer):
    quantity = serializers.IntegerField()


# What an app's idempotent view declares; the kernel documents the rest.
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)


class OrderCreateProbeApi(APIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ProbeInput

    @extend_schema(parameters=[IDEMPOTENCY_KEY])
    def post(self, request):
        data = ProbeInput(data=request.data)
        data.is_valid(raise_exception=True)
        logger.info("probe order for %s", data.validated_data["quantity"])
        return Response(ProbeOutput(data.validated_data).data, status=201)


class OrderPayProbeApi(OrderCreateProbeApi):
    @extend_schema(parameters=[IDEMPOTENCY_KEY])
    def post(self, request, order_id):
        return super().post(request)


class PublishProbeApi(APIView):
    """Writes on the users database and publishes UserRegistered."""

    permission_classes = [AllowAny]
    serializer_class = ProbeInput

    def post(self, request):
        with atomic_for("users"):
            publish(UserRegistered(user_id=uuid.uuid4(), email="probe@example.com"))
        logger.info("published the probe event")
        return Response({"quantity": 1}, status=201)


class BoomApi(APIView):
    permission_classes = [AllowAny]
    serializer_class = ProbeInput

    def get(self, request):
        raise RuntimeError("secret internals: /srv/app/settings.py line 42")


def django_boom(request):
    raise RuntimeError("secret internals: /srv/app/settings.py line 42")


def plain_form(request):
    return HttpResponse("ok")


urlpatterns = [
    path("api/v1/orders/", OrderCreateProbeApi.as_view()),
    path("api/v1/orders/<uuid:order_id>/pay/", OrderPayProbeApi.as_view()),
    path("api/v1/probe/publish/", PublishProbeApi.as_view()),
    path("api/v1/probe/boom/", BoomApi.as_view()),
    path("api/v1/probe/django-boom/", django_boom),
    path("api/v1/probe/form/", plain_form),
    path("probe/django-boom/", django_boom),
    *project_urlpatterns,
]
