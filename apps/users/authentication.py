"""simplejwt's authentication, plus the access tokens a logout ended."""

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from apps.users.ended_access import access_token_ended


class JWTAuthenticationEndedByLogout(JWTAuthentication):
    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        if access_token_ended(token):
            raise InvalidToken(
                {"detail": "Token was ended by a logout.", "code": "token_not_valid"}
            )
        return token
