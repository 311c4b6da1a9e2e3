"""Reusable API permissions; any app's api/ module may use them."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsStaff(BasePermission):
    message = "Staff only."

    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.is_staff
        )


class IsStaffOrReadOnly(BasePermission):
    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return IsStaff().has_permission(request, view)


class IsOwnerOrStaff(BasePermission):
    """Object-level: the object's `owner_id` (or `user_id`) is the caller, or the caller is staff.

    Views should still filter querysets by owner so other users' objects are 404, not 403.
    """

    def has_object_permission(self, request, view, obj):
        if request.user.is_staff:
            return True
        owner = getattr(obj, "owner_id", None) or getattr(obj, "user_id", None)
        if owner is None and isinstance(obj, dict):
            owner = obj.get("user_id")
        return str(owner) == str(request.user.pk)
