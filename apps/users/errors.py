"""Domain errors of the users app (stable codes; mapped to problem details)."""

from rest_framework import status

from apps.common.errors import ApplicationError


class InvalidCredentials(ApplicationError):
    """Unknown e-mail, wrong password and inactive account look the same."""

    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid_credentials"
    title = "No active account found with the given credentials"


class TokenInvalid(ApplicationError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "token_not_valid"
    title = "Token is invalid, expired or revoked"


class LoginThrottled(ApplicationError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "login_throttled"
    title = "Too many failed logins"

    def __init__(self, *, retry_after: int):
        super().__init__(
            f"Too many failed logins; try again in {retry_after} seconds.",
            extra={"retry_after": retry_after},
        )
