"""Domain errors of the users app (stable codes; mapped to problem details)."""

from rest_framework import status

from apps.common.errors import ApplicationError, ValidationFailed

EMAIL_TAKEN = "A user with this e-mail address already exists."


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


class LinkInvalid(ApplicationError):
    """A refused link token: a 400 with the reason on the `token` field."""

    code = "link_invalid"
    title = "This link is invalid or was already used"
    message = (
        "The link is not valid, was already used, or the account changed since it "
        "was sent; ask for a new one."
    )

    def __init__(self):
        super().__init__(self.message, extra={"errors": {"token": [self.message]}})


class LinkExpired(LinkInvalid):
    code = "link_expired"
    title = "This link has expired"
    message = "The link has expired; ask for a new one."


class AccountMailThrottled(ApplicationError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "account_mail_throttled"
    title = "Too many requests for account e-mails"

    def __init__(self, *, retry_after: int):
        super().__init__(
            f"Too many requests; try again in {retry_after} seconds.",
            extra={"retry_after": retry_after},
        )


class ErasureBlocked(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "erasure_blocked"
    title = "The account has orders in progress"

    def __init__(self, *, order_ids: list[str]):
        super().__init__(
            "Orders in progress must be delivered, cancelled or refunded before "
            "the account can be erased.",
            extra={"order_ids": order_ids},
        )


class EmailTaken(ValidationFailed):
    """Raised to callers that may know (ops, staff); the public registration
    answers as for a new account instead."""

    def __init__(self):
        super().__init__({"email": [EMAIL_TAKEN]})


class AddressDoesNotExist(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "address_not_found"
    title = "Address not found"
