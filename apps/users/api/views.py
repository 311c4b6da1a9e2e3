"""Auth and profile endpoints: parse input, call one service, render output."""

from django.conf import settings
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from apps.common.errors import NotFound
from apps.common.jwt_keys import jwks_document
from apps.common.permissions import IsStaff
from apps.common.proxies import client_address
from apps.common.throttling import ExactRateThrottleMixin
from apps.users.api import serializers as s
from apps.users.selectors import user_find
from apps.users.services.accounts import (
    registration_submit,
    user_password_change,
    user_profile_update,
)
from apps.users.services.privacy import personal_data_export, user_erase
from apps.users.services.recovery import password_reset_confirm, password_reset_request
from apps.users.services.tokens import (
    token_obtain,
    token_pair_for,
    token_refresh,
    token_revoke,
)
from apps.users.services.verification import (
    email_change_request,
    email_verification_resend,
    email_verify,
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

        Creates a customer account and e-mails a link that verifies the address; log
        in with POST /api/v1/auth/token/ afterwards. A taken address gets the same
        answer (its owner is e-mailed instead), so the answer tells nobody whether an
        address has an account.
        """
        user = registration_submit(
            **_valid(s.RegisterInput, request), client_address=client_address(request)
        )
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


ACCEPTED = "If the address has an account, an e-mail is on its way."


def _accepted() -> Response:
    return Response({"detail": ACCEPTED}, status=status.HTTP_202_ACCEPTED)


class PasswordResetApi(PublicApi):
    @extend_schema(request=s.EmailInput, responses={202: s.AcceptedOutput})
    def post(self, request):
        """Ask for a password reset link.

        E-mails a single-use link (valid `PASSWORD_RESET_MINUTES`, 60) to the account
        of the address. The answer is the same whether or not the address has an
        account; throttled per client and per address.
        """
        password_reset_request(
            **_valid(s.EmailInput, request), client_address=client_address(request)
        )
        return _accepted()


class PasswordResetConfirmApi(PublicApi):
    @extend_schema(request=s.PasswordResetConfirmInput, responses={204: None})
    def post(self, request):
        """Reset the password.

        Sets a new password with the token of a reset link, which then stops working;
        every session and refresh token of the account ends. A used, expired or
        altered token is a 400 problem (`link_invalid`, `link_expired`).
        """
        password_reset_confirm(**_valid(s.PasswordResetConfirmInput, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerificationApi(PublicApi):
    @extend_schema(request=s.EmailInput, responses={202: s.AcceptedOutput})
    def post(self, request):
        """Send the verification link again.

        E-mails a new verification link to an unverified account of the address; the
        answer is the same for any address. Throttled per client and per address.
        """
        email_verification_resend(
            **_valid(s.EmailInput, request), client_address=client_address(request)
        )
        return _accepted()


class EmailVerifyApi(PublicApi):
    @extend_schema(request=s.TokenInput, responses={204: None})
    def post(self, request):
        """Verify an e-mail address.

        Follows a verification link: the account's address is verified, or, for a
        link sent on a change of address, becomes the new one. Each link works once;
        a used, expired or altered token is a 400 problem.
        """
        email_verify(**_valid(s.TokenInput, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailChangeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.EmailChangeInput, responses={202: s.AcceptedOutput})
    def post(self, request):
        """Change my e-mail address.

        Needs the current password; e-mails a verification link to the new address,
        which replaces the old one when the link is followed. The answer does not
        tell whether the new address has an account.
        """
        email_change_request(
            user=request.user,
            **_valid(s.EmailChangeInput, request),
            client_address=client_address(request),
        )
        return _accepted()


class MyDataExportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.PersonalDataOutput})
    def get(self, request):
        """Export my data.

        Everything the shop keeps about me as one JSON document: profile, addresses,
        orders, payments (without the payment provider's keys) and the e-mails sent.
        """
        document = personal_data_export(user=request.user)
        return Response(s.PersonalDataOutput(document).data)


class CustomerDataExportApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses={200: s.PersonalDataOutput})
    def get(self, request, user_id):
        """Export a customer's data (staff).

        The document the customer would download from GET /api/v1/users/me/export/.
        """
        user = user_find(user_id)
        if user is None:
            raise NotFound("No such user.")
        document = personal_data_export(user=user)
        return Response(s.PersonalDataOutput(document).data)


class EraseApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.PasswordInput, responses={204: None})
    def post(self, request):
        """Erase my account.

        Needs the current password. The account is deleted and every token of it
        ends; every app erases or anonymizes what it keeps (orders stay for
        accounting without name and address). Orders in progress must end first
        (409 `erasure_blocked`).
        """
        user_erase(
            user=request.user,
            **_valid(s.PasswordInput, request),
            client_address=client_address(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
