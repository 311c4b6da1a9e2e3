"""Auth and profile endpoints: parse input, call one service, render output."""

from django.conf import settings
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from apps.common.jwt_keys import jwks_document
from apps.common.proxies import client_address
from apps.common.throttling import ExactRateThrottleMixin
from apps.users.api import serializers as s
from apps.users.services.accounts import (
    user_password_change,
    user_profile_update,
    user_register,
)
from apps.users.services.tokens import (
    token_obtain,
    token_pair_for,
    token_refresh,
    token_revoke,
)


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PublicApi(APIView):
    """No authentication at all: a stale Authorization header is no 401 here."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


class RegisterThrottle(ExactRateThrottleMixin, AnonRateThrottle):
    """Accounts created per client address (each costs an Argon2 hash)."""

    scope = "register"

    def get_ident(self, request):
        # DRF's own would take a client-made X-Forwarded-For as the address.
        return client_address(request)


class RegisterApi(PublicApi):
    throttle_classes = [RegisterThrottle]

    @extend_schema(
        request=s.RegisterInput,
        responses={
            201: s.ProfileOutput,
            429: OpenApiResponse(description="too many registrations"),
        },
    )
    def post(self, request):
        """Register.

        Creates a customer account; log in with POST /api/v1/auth/token/ afterwards.
        """
        user = user_register(**_valid(s.RegisterInput, request))
        return Response(s.ProfileOutput(user).data, status=status.HTTP_201_CREATED)


class TokenObtainApi(PublicApi):
    @extend_schema(
        request=s.TokenObtainInput,
        responses={
            200: s.TokenPairOutput,
            401: OpenApiResponse(description="invalid credentials"),
            429: OpenApiResponse(description="too many failed logins"),
        },
    )
    def post(self, request):
        """Log in.

        An access token (minutes) and a refresh token (days) for an e-mail and password.
        """
        data = _valid(s.TokenObtainInput, request)
        pair = token_obtain(**data, client_address=client_address(request))
        return Response(pair)


class TokenRefreshApi(PublicApi):
    @extend_schema(request=s.RefreshInput, responses={200: s.TokenPairOutput})
    def post(self, request):
        """Refresh the tokens.

        A new access and refresh token for a refresh token; each refresh token works
        once.
        """
        return Response(token_refresh(**_valid(s.RefreshInput, request)))


class JwksApi(PublicApi):
    @extend_schema(responses={200: s.JwksOutput})
    def get(self, request):
        """Token keys (JWKS).

        The public keys that verify access and refresh tokens, by `kid`
        (cacheable for `JWT_JWKS_CACHE_SECONDS`).
        """
        response = Response(jwks_document())
        patch_cache_control(
            response, public=True, max_age=settings.JWT_JWKS_CACHE_SECONDS
        )
        return response


class LogoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.RefreshInput, responses={204: None})
    def post(self, request):
        """Log out.

        Ends the refresh token and the access token of this request.
        """
        token_revoke(
            **_valid(s.RefreshInput, request), user=request.user, access=request.auth
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.ProfileOutput})
    def get(self, request):
        """Get my profile.

        The account and its order statistics.
        """
        return Response(s.ProfileOutput(request.user).data)

    @extend_schema(request=s.ProfileInput, responses={200: s.ProfileOutput})
    def patch(self, request):
        """Change my profile.

        Names and phone; other fields are ignored.
        """
        changes = _valid(s.ProfileInput, request, partial=True)
        user = user_profile_update(user=request.user, **changes)
        return Response(s.ProfileOutput(user).data)


class PasswordChangeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.PasswordChangeInput,
        responses={200: s.TokenPairOutput},
    )
    def post(self, request):
        """Change my password.

        Needs the current password; ends every earlier token and returns a fresh
        pair.
        """
        user = user_password_change(
            user=request.user,
            **_valid(s.PasswordChangeInput, request),
            client_address=client_address(request),
        )
        return Response(token_pair_for(user))
