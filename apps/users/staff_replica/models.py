from django.db import models

from apps.users.contracts import StaffMember as StaffAnswer


class StaffMember(models.Model):
    """A staff member this deployable's admin has seen: the id and e-mail are
    stored (the admin history's foreign key); who they are now and what they
    may do comes from users' answer of this request and is never stored."""

    id = models.UUIDField(primary_key=True)
    email = models.EmailField(max_length=254)

    USERNAME_FIELD = "id"
    REQUIRED_FIELDS: list[str] = []
    is_anonymous = False
    is_authenticated = True
    # A row read without users' answer (the history's author) grants nothing.
    is_active = False
    is_staff = False
    is_superuser = False
    first_name = ""
    permissions: frozenset[str] = frozenset()
    session_auth_hash = ""

    def __str__(self):
        return self.email

    @classmethod
    def from_answer(cls, *, answer: StaffAnswer) -> "StaffMember":
        """The row of `answer`, written when new or its e-mail changed, and
        the answer's rights on the instance."""
        member = cls(id=answer.id, email=answer.email)
        cls.objects.bulk_create(
            [member],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["email"],
        )
        member.is_active = member.is_staff = True
        member.is_superuser = answer.is_superuser
        member.first_name = answer.first_name
        member.permissions = frozenset(answer.permissions)
        member.session_auth_hash = answer.session_auth_hash
        return member

    def get_username(self) -> str:
        return self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def get_session_auth_hash(self) -> str:
        return self.session_auth_hash

    def get_session_auth_fallback_hash(self):
        # Users signs with its current key only: a session made under an
        # older key signs in again.
        return iter(())

    def has_perm(self, perm: str, obj=None) -> bool:
        return self.is_active and (self.is_superuser or perm in self.permissions)

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        prefix = f"{app_label}."
        return self.is_active and (
            self.is_superuser or any(p.startswith(prefix) for p in self.permissions)
        )
