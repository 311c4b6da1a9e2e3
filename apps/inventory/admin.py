"""Stock is read-only here; adjustments go through a form that calls the service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from apps.common.errors import ApplicationError
from apps.inventory import services
from apps.inventory.models import Reservation, StockItem, StockMovement


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StockMovementInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StockMovement
    fields = [
        "created_at",
        "kind",
        "on_hand_delta",
        "reserved_delta",
        "reference",
        "actor",
    ]
    readonly_fields = fields
    ordering = ["-id"]
    extra = 0


class AdjustmentForm(forms.Form):
    delta = forms.IntegerField(
        min_value=-services.MAX_QUANTITY, max_value=services.MAX_QUANTITY
    )
    reason = forms.CharField(max_length=200)


@admin.register(StockItem)
class StockItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["product_id", "on_hand", "reserved", "available", "updated_at"]
    search_fields = ["product_id"]
    fields = ["product_id", "on_hand", "reserved", "available", "version", "adjust"]
    readonly_fields = fields
    inlines = [StockMovementInline]

    @admin.display(description="available")
    def available(self, obj):
        return obj.available

    @admin.display(description="adjust")
    def adjust(self, obj):
        url = reverse("admin:inventory_stockitem_adjust", args=[obj.pk])
        return format_html('<a href="{}">Adjust stock</a>', url)

    def get_urls(self):
        return [
            path(
                "<uuid:product_id>/adjust/",
                self.admin_site.admin_view(self.adjust_view),
                name="inventory_stockitem_adjust",
            )
        ] + super().get_urls()

    def adjust_view(self, request, product_id):
        # The page itself is read-only; adjusting is the change permission.
        if not request.user.has_perm("inventory.change_stockitem"):
            raise PermissionDenied
        item = get_object_or_404(StockItem, pk=product_id)
        form = AdjustmentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.stock_adjust(
                    product_id=item.pk,
                    delta=form.cleaned_data["delta"],
                    reason=form.cleaned_data["reason"],
                    actor=f"user:{request.user.pk}",
                )
            except ApplicationError as exc:
                form.add_error("delta", exc.detail)
            else:
                messages.success(request, "Stock adjusted.")
                return redirect("admin:inventory_stockitem_change", item.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "item": item,
            "form": form,
            "title": f"Adjust stock of {item.pk}",
        }
        return TemplateResponse(request, "admin/inventory/adjust.html", context)


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["order_id", "status", "expires_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["order_id"]
