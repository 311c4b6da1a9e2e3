"""Orders in the admin: read-mostly; state changes only through actions that
call the services (the same rules, events and gateway as the API)."""

from django.contrib import admin, messages

from apps.common.errors import ApplicationError
from apps.orders.models import Order, OrderLine, Payment, Shipment, ShippingMethod
from apps.orders.services import shipping
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


SHIPPING_FIELDS = [
    "name",
    "countries",
    "currency",
    "price",
    "bands",
    "free_above",
    "active",
]


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin):
    """Saved and deleted through the shipping services, as the staff API does."""

    list_display = ["name", "currency", "price", "free_above", "active"]
    list_filter = ["active", "currency"]
    fields = SHIPPING_FIELDS

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in SHIPPING_FIELDS}
        values["countries"] = sorted({c.upper() for c in values["countries"]})
        if change:
            shipping.shipping_method_update(method_id=obj.pk, **values)
        else:
            created = shipping.shipping_method_create(**values)
            obj.pk = created.pk

    def delete_model(self, request, obj):
        shipping.shipping_method_delete(method_id=obj.pk)

    def delete_queryset(self, request, queryset):
        for method in queryset:
            shipping.shipping_method_delete(method_id=method.pk)
