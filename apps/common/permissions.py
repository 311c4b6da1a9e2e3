"""Reusable API permissions; any app's api/ module may use them."""

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsStaff(BasePermission):
    message = "Staff only."

    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.is_staff
        )


class IsStaffOrReadOnly(BasePermission):
    allows_anonymous_reads = True  # documented as such in the schema

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return IsStaff().has_permission(request, view)


class DocsAudience(BasePermission):
    """The schema and docs pages: everyone while API_DOCS_PUBLIC, else staff."""

    def has_permission(self, request, view):
        if settings.API_DOCS_PUBLIC:
            return True
        return IsStaff().has_permission(request, view)
