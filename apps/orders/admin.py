"""Orders in the admin: read-mostly; state changes only through actions that
call the services (the same rules, events and gateway as the API)."""

import copy

from django import forms
from django.contrib import admin, messages

from apps.common.errors import ApplicationError
from apps.orders.models import (
    Order,
    OrderLine,
    Payment,
    Shipment,
    ShippingMethod,
    TaxRate,
    Voucher,
)
from apps.orders.services import pricing_staff, shipping
from apps.orders.services.lifecycle import order_cancel, order_deliver
from apps.orders.services.payments import order_refund


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["product_id", "sku", "name", "unit_price", "quantity", "line_total"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["id", "amount", "currency", "status", "gateway_reference", "created_at"]
    readonly_fields = fields


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = ["carrier", "tracking_number", "shipped_at", "delivered_at"]
    readonly_fields = fields


def _apply(modeladmin, request, queryset, service, verb: str) -> None:
    done = 0
    for order in queryset.order_by("pk"):
        try:
            service(order.pk)
            done += 1
        except ApplicationError as exc:
            modeladmin.message_user(
                request, f"{order.pk}: {exc.detail}", level=messages.WARNING
            )
    modeladmin.message_user(request, f"{done} order(s) {verb}.")


@admin.action(
    description="Cancel selected orders (pending or confirmed)", permissions=["change"]
)
def cancel_orders(modeladmin, request, queryset):
    _apply(
        modeladmin,
        request,
        queryset,
        lambda pk: order_cancel(order_id=pk, user_id=None, reason="cancelled by staff"),
        "cancelled",
    )


@admin.action(description="Refund selected paid orders", permissions=["change"])
def refund_orders(modeladmin, request, queryset):
    _apply(
        modeladmin, request, queryset, lambda pk: order_refund(order_id=pk), "refunded"
    )


@admin.action(
    description="Mark selected shipped orders delivered", permissions=["change"]
)
def deliver_orders(modeladmin, request, queryset):
    _apply(
        modeladmin,
        request,
        queryset,
        lambda pk: order_deliver(order_id=pk),
        "delivered",
    )


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "user_id", "status", "total", "currency", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["id", "user_id"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, PaymentInline, ShipmentInline]
    actions = [cancel_orders, refund_orders, deliver_orders]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderManagersOnly:
    """Tax rates and vouchers are money rules: the staff who manage orders (the
    "orders" role, users/roles.py) manage them, without a permission of their own."""

    def _manages_orders(self, request) -> bool:
        return request.user.is_active and request.user.has_perm("orders.change_order")

    def has_module_permission(self, request):
        return self._manages_orders(request)

    def has_view_permission(self, request, obj=None):
        return self._manages_orders(request)

    def has_add_permission(self, request):
        return self._manages_orders(request)

    def has_change_permission(self, request, obj=None):
        return self._manages_orders(request)

    def has_delete_permission(self, request, obj=None):
        return self._manages_orders(request)


class CheckedByServiceForm(forms.ModelForm):
    """Shows the service's own checks (`errors_of`) on the form's fields before
    `save_model` hands the data to the service."""

    errors_of = staticmethod(lambda instance: {})

    def clean(self):
        cleaned = super().clean()
        candidate = copy.copy(self.instance)
        for field, value in cleaned.items():
            setattr(candidate, field, value)
        for field, messages_ in self.errors_of(candidate).items():
            if field not in self.errors:
                self.add_error(field if field in self.fields else None, messages_)
        return cleaned


class TaxRateForm(CheckedByServiceForm):
    errors_of = staticmethod(pricing_staff.tax_rate_errors)

    def clean_country(self):
        return self.cleaned_data["country"].strip().upper()


class VoucherForm(CheckedByServiceForm):
    errors_of = staticmethod(pricing_staff.voucher_errors)


class SavedByServices:
    """Adds, changes and deletes through the services (`create`, `update`,
    `remove`), as the API does."""

    def save_model(self, request, obj, form, change):
        if change:
            self.update(obj, {f: form.cleaned_data[f] for f in form.changed_data})
        else:
            obj.pk = self.create(form.cleaned_data).pk

    def delete_model(self, request, obj):
        self.remove(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.remove(obj)


@admin.register(TaxRate)
class TaxRateAdmin(SavedByServices, OrderManagersOnly, admin.ModelAdmin):
    form = TaxRateForm
    list_display = ["country", "standard_rate", "reduced_rate", "updated_at"]
    search_fields = ["country"]
    fields = ["country", "standard_rate", "reduced_rate"]

    def get_readonly_fields(self, request, obj=None):
        return ["country"] if obj is not None else []

    def create(self, cleaned: dict):
        return pricing_staff.tax_rate_create(**{f: cleaned[f] for f in self.fields})

    def update(self, obj, data: dict):
        pricing_staff.tax_rate_update(country=obj.country, data=data)

    def remove(self, obj):
        pricing_staff.tax_rate_delete(country=obj.country)


@admin.register(Voucher)
class VoucherAdmin(SavedByServices, OrderManagersOnly, admin.ModelAdmin):
    form = VoucherForm
    list_display = [
        "code",
        "kind",
        "target",
        "value",
        "uses",
        "usage_limit",
        "valid_until",
        "is_active",
    ]
    list_filter = ["is_active", "kind", "target"]
    search_fields = ["code"]
    readonly_fields = ["uses", "created_at", "updated_at"]
    fields = [*pricing_staff.VOUCHER_FIELDS, *readonly_fields]

    def create(self, cleaned: dict):
        fields = pricing_staff.VOUCHER_FIELDS
        return pricing_staff.voucher_create(**{f: cleaned[f] for f in fields})

    def update(self, obj, data: dict):
        pricing_staff.voucher_update(voucher_id=obj.pk, data=data)

    def remove(self, obj):
        pricing_staff.voucher_delete(voucher_id=obj.pk)


@admin.register(ShippingMethod)
class ShippingMethodAdmin(SavedByServices, OrderManagersOnly, admin.ModelAdmin):
    list_display = ["name", "currency", "price", "free_above", "active"]
    list_filter = ["active", "currency"]
    fields = shipping.SHIPPING_FIELDS

    def create(self, cleaned: dict):
        return shipping.shipping_method_create(**_shipping_fields(cleaned))

    def update(self, obj, data: dict):
        shipping.shipping_method_update(method_id=obj.pk, **_shipping_fields(data))

    def remove(self, obj):
        shipping.shipping_method_delete(method_id=obj.pk)


def _shipping_fields(data: dict) -> dict:
    fields = {f: data[f] for f in shipping.SHIPPING_FIELDS if f in data}
    if "countries" in fields:
        fields["countries"] = sorted({c.upper() for c in fields["countries"]})
    return fields
