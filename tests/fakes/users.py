"""A fake users app: accounts the test states, and access tokens signed as the
users app signs them, with a key of its own that the test settings publish."""

import datetime as dt
import json
import uuid

import jwt
from cryptography.hazmat.primitives import serialization

from apps.common import jwt_keys
from apps.common.errors import ValidationFailed
from apps.users.contracts import (
    AddressData,
    AddressNotFound,
    StaffMember,
    UserNotFound,
    UserSummary,
)

ACCESS_MINUTES = 5


class FakeUsers:
    app = "users"
    private_pem = jwt_keys.private_key_pem_new()
    public_pem = jwt_keys.public_key_pem(private_pem=private_pem)

    def __init__(self):
        self.accounts: dict[uuid.UUID, UserSummary] = {}
        self.roles: dict[uuid.UUID, tuple[str, ...]] = {}
        self.superusers: set[uuid.UUID] = set()
        # What the test says the users app offers (its own list is private).
        self.role_names = ["orders", "stock"]
        self.addresses: dict[uuid.UUID, list[AddressData]] = {}

    def user_add(
        self, *, email: str, is_staff: bool = False, is_superuser: bool = False, **names
    ) -> UserSummary:
        user = UserSummary(
            id=uuid.uuid4(),
            email=email,
            first_name=names.get("first_name", ""),
            last_name=names.get("last_name", ""),
            is_staff=is_staff,
            is_active=True,
        )
        self.accounts[user.id] = user
        if is_superuser:
            self.superusers.add(user.id)
        return user

    def access_token(self, *, user: UserSummary) -> str:
        """An access token with the claims the users app puts in one."""
        now = dt.datetime.now(dt.UTC)
        claims = {
            "token_type": "access",
            "exp": now + dt.timedelta(minutes=ACCESS_MINUTES),
            "iat": now,
            "jti": uuid.uuid4().hex,
            "user_id": str(user.id),
            "is_staff": user.is_staff,
        }
        private = serialization.load_pem_private_key(self.private_pem.encode(), None)
        return jwt.encode(
            claims,
            private,
            algorithm=jwt_keys.ALGORITHM,
            headers={"kid": self._kid(public_key=private.public_key())},
        )

    @staticmethod
    def _kid(*, public_key) -> str:
        """The kid this deployable published for the key (JWT_PUBLIC_KEYS)."""
        x = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(public_key))["x"]
        [kid] = [k["kid"] for k in jwt_keys.jwks_document()["keys"] if k["x"] == x]
        return kid

    def user_get(self, *, user_id: uuid.UUID | str) -> UserSummary:
        try:
            return self.accounts[uuid.UUID(str(user_id))]
        except (KeyError, ValueError):
            raise UserNotFound(str(user_id)) from None

    def address_list(self, *, user_id: uuid.UUID | str) -> list[AddressData]:
        try:
            return list(self.addresses.get(uuid.UUID(str(user_id)), []))
        except ValueError:
            return []

    def address_get(
        self, *, user_id: uuid.UUID | str, address_id: uuid.UUID | str
    ) -> AddressData:
        for address in self.address_list(user_id=user_id):
            if str(address.id) == str(address_id):
                return address
        raise AddressNotFound(str(address_id))

    def user_get_by_email(self, *, email: str) -> UserSummary:
        for user in self.accounts.values():
            if user.email.lower() == email.lower():
                return user
        raise UserNotFound(email)

    def customer_register(
        self, *, email: str, password: str, first_name: str = "", last_name: str = ""
    ) -> UserSummary:
        if any(u.email.lower() == email.lower() for u in self.accounts.values()):
            raise ValidationFailed({"email": ["A user with this e-mail exists."]})
        return self.user_add(email=email, first_name=first_name, last_name=last_name)

    def staff_role_names(self) -> list[str]:
        return list(self.role_names)

    def staff_create(
        self,
        *,
        email: str,
        password: str,
        first_name: str = "",
        last_name: str = "",
        roles: tuple[str, ...] = (),
    ) -> UserSummary:
        unknown = sorted(set(roles) - set(self.role_names))
        if unknown:
            raise ValidationFailed({"role": [f"Unknown role {', '.join(unknown)}."]})
        for user in list(self.accounts.values()):
            if user.email.lower() == email.lower():
                del self.accounts[user.id]
        user = self.user_add(
            email=email, is_staff=True, first_name=first_name, last_name=last_name
        )
        self.roles[user.id] = tuple(roles)
        return user

    def staff_member_get(self, *, user_id: uuid.UUID | str) -> StaffMember:
        user = self.user_get(user_id=user_id)
        if not (user.is_active and user.is_staff):
            raise UserNotFound(str(user_id))
        return StaffMember(
            id=user.id,
            email=user.email,
            first_name=user.first_name,
            is_superuser=user.id in self.superusers,
            permissions=(),
            session_auth_hash=f"fake-session-hash-{user.id}",
        )
