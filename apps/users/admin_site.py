"""The admin site, signing in through the users app's throttled login, so the
admin login has the API login's limits and counters (docs/security.md)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm

from apps.common.proxies import client_address
from apps.users.errors import InvalidCredentials, LoginThrottled
from apps.users.services.tokens import user_authenticate


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    throttled: LoginThrottled | None = None

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        try:
            self.user_cache = user_authenticate(
                email=email,
                password=password,
                client_address=client_address(self.request),
            )
        except InvalidCredentials as exc:
            raise self.get_invalid_login_error() from exc
        except LoginThrottled as exc:
            self.throttled = exc
            raise forms.ValidationError(exc.detail, code="login_throttled") from exc
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class ShopAdminSite(admin.AdminSite):
    login_form = ThrottledAdminLoginForm

    def login(self, request, extra_context=None):
        """A throttled login is the admin's own page, answered 429."""
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        throttled = getattr(form, "throttled", None)
        if throttled is not None:
            response.status_code = throttled.status_code
            response["Retry-After"] = str(throttled.extra["retry_after"])
        return response
