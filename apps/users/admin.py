"""Users in the admin: searchable, filterable by role and activity, staff
toggled on the change form; passwords only through Django's password form,
which here goes through the service so earlier tokens are revoked."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)

from apps.users.models import CustomerEmail, PaidOrder, Role, User
from apps.users.services.accounts import user_password_set


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value() == Role.STAFF:
            return queryset.filter(is_staff=True)
        if self.value() == Role.CUSTOMER:
            return queryset.filter(is_staff=False)
        return queryset


class NormalizedEmailMixin:
    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"])


class ShopUserCreationForm(NormalizedEmailMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class ShopUserChangeForm(NormalizedEmailMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class ShopPasswordChangeForm(AdminPasswordChangeForm):
    def save(self, commit=True):
        if not commit:
            return super().save(commit=False)
        usable = self.cleaned_data["set_usable_password"]
        password = self.cleaned_data["password1"] if usable else None
        return user_password_set(user=self.user, password=password)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = ShopUserChangeForm
    add_form = ShopUserCreationForm
    change_password_form = ShopPasswordChangeForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "role", "is_active")
    list_filter = (RoleFilter, "is_active", "is_superuser")
    search_fields = ("email", "first_name", "last_name")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "phone")}),
        (
            "Permissions",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )

    @admin.display(description="role")
    def role(self, obj: User) -> str:
        return Role(obj.role).label


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows kept by the app's handlers and services; the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaidOrder)
class PaidOrderAdmin(ReadOnlyAdmin):
    """Read-only: the rows are kept by the orders events."""

    list_display = ("order_id", "user", "amount", "currency", "paid_at", "refunded_at")
    search_fields = ("user__email", "order_id")
    list_select_related = ("user",)


@admin.register(CustomerEmail)
class OrderEmailAdmin(ReadOnlyAdmin):
    """Read-only: written by the order event handlers, sent and retried by the
    notification service. Unsent ones show their last error."""

    list_display = ("order_id", "kind", "to_address", "created_at", "sent_at")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("to_address", "order_id")
    readonly_fields = [field.name for field in CustomerEmail._meta.fields]
