"""Admin for daily catalog management. Every save goes through the services,
so admin edits are validated like API edits and publish the same events."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Case, Value, When
from django.utils.html import format_html

from apps.catalog import image_services, images, selectors, services
from apps.catalog.models import Category, Product, ProductImage, Variant
from apps.common.errors import ApplicationError, ValidationFailed


def _as_form_error(exc: ValidationFailed) -> ValidationError:
    return ValidationError(
        {field: messages_ for field, messages_ in exc.extra["errors"].items()}
    )


class StaffManagesCatalog:
    """Catalog management is every staff member's daily tool (DESIGN.md §4):
    staff need no per-model permissions here."""

    def _staff(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request)

    def has_add_permission(self, request):
        return self._staff(request)

    def has_change_permission(self, request, obj=None):
        return self._staff(request)


class TreeChangeList(ChangeList):
    def get_ordering(self, request, queryset):
        return ["tree_position", "pk"]


@admin.register(Category)
class CategoryAdmin(StaffManagesCatalog, admin.ModelAdmin):
    list_display = ["tree_name", "slug", "parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        # Parents before their children, each with its depth (one extra query
        # over the small category table).
        tree = selectors.category_tree()
        position = [When(pk=c.pk, then=Value(i)) for i, (c, _d) in enumerate(tree)]
        depth = [When(pk=c.pk, then=Value(d)) for c, d in tree]
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .annotate(
                tree_position=Case(*position, default=Value(0)),
                tree_depth=Case(*depth, default=Value(0)),
            )
        )

    def get_changelist(self, request, **kwargs):
        return TreeChangeList

    @admin.display(description="category", ordering="tree_position")
    def tree_name(self, obj):
        return format_html("{}{}", "\u2014 " * obj.tree_depth, obj.name)

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in ("name", "slug", "parent")}
        if change:
            original = Category.objects.get(pk=obj.pk)
            saved = services.category_update(category=original, data=data)
        else:
            saved = services.category_create(**data)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return self._staff(request)

    def delete_model(self, request, obj):
        try:
            services.category_delete(category=obj)
        except ApplicationError as exc:
            self.message_user(request, exc.detail, messages.ERROR)

    def delete_queryset(self, request, queryset):
        for category in queryset:
            self.delete_model(request, category)


class ProductImageForm(forms.ModelForm):
    # A plain file field: the content check is the service's own (Pillow),
    # with its messages; an uploaded image is replaced by deleting it.
    image = forms.FileField()
    position = forms.IntegerField(
        min_value=0, required=False, help_text="0 is first; empty: after the others."
    )

    class Meta:
        model = ProductImage
        fields = ["image", "alt_text", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.initial["position"] = None
        else:
            self.fields["image"].disabled = True

    def clean_image(self):
        upload = self.cleaned_data["image"]
        if self.instance.pk is None:
            try:
                images.picture_read(upload)
            except ValidationFailed as exc:
                raise ValidationError(exc.extra["errors"]["image"]) from exc
        return upload


class ProductImageInline(StaffManagesCatalog, admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    fields = ["preview", "image", "alt_text", "position", "width", "height"]
    readonly_fields = ["preview", "width", "height"]
    ordering = ["position", "id"]
    extra = 1

    # An inline's permissions are asked about the parent product (`obj`).
    def has_add_permission(self, request, obj=None):
        return self._staff(request)

    def has_delete_permission(self, request, obj=None):
        return self._staff(request)

    @admin.display(description="thumbnail")
    def preview(self, obj):
        listing = (obj.thumbnails or {}).get("listing")
        if not listing:
            return ""
        url = default_storage.url(listing["name"])
        return format_html('<img src="{}" alt="{}">', url, obj.alt_text)


def options_text(options: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in options.items())


class VariantForm(forms.ModelForm):
    options = forms.CharField(
        required=False,
        help_text="name=value pairs separated by ';', e.g. size=M; colour=red.",
    )

    class Meta:
        model = Variant
        fields = ["sku", "price", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and self.instance.product_id is not None:
            self.initial["options"] = options_text(
                {o.name: o.value for o in self.instance.option_values.all()}
            )

    def clean_options(self) -> dict[str, str]:
        options = {}
        for pair in filter(
            None, (p.strip() for p in self.cleaned_data["options"].split(";"))
        ):
            name, equals, value = pair.partition("=")
            if not equals:
                raise ValidationError(f"{pair!r} is not name=value.")
            options[name.strip()] = value.strip()
        return options


class VariantInline(admin.TabularInline):
    """The product's variants; saved one by one through the variant services
    (ProductAdmin.save_formset), never deleted (order history)."""

    model = Variant
    form = VariantForm
    fields = ["sku", "price", "options", "is_active", "in_stock"]
    readonly_fields = ["in_stock"]
    extra = 1
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return bool(request.user.is_active and request.user.is_staff)

    def has_change_permission(self, request, obj=None):
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request, obj=None):
        return bool(request.user.is_active and request.user.is_staff)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(StaffManagesCatalog, admin.ModelAdmin):
    list_display = [
        "sku",
        "name",
        "category",
        "price",
        "currency",
        "tax_class",
        "is_active",
        "in_stock",
        "updated_at",
    ]
    list_display_links = ["sku", "name"]
    list_editable = ["price", "is_active"]
    list_filter = ["is_active", "in_stock", "tax_class", "category"]
    list_select_related = ["category"]
    search_fields = ["sku", "name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["id", "currency", "in_stock", "created_at", "updated_at"]
    fields = [
        "id",
        "sku",
        "name",
        "slug",
        "category",
        "price",
        "currency",
        "tax_class",
        "description",
        "is_active",
        "in_stock",
        "created_at",
        "updated_at",
    ]
    actions = ["activate_selected", "deactivate_selected"]
    ordering = ["sku"]
    inlines = [ProductImageInline]

    def get_inlines(self, request, obj):
        # A new product is made with one variant (its price); more come after.
        if obj is None:
            return [ProductImageInline]
        return [ProductImageInline, VariantInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is Variant:
            self._save_variant_formset(request, form, formset)
        else:
            self._save_image_formset(request, form, formset)

    def _save_variant_formset(self, request, form, formset):
        existing = {f.instance.pk for f in formset.initial_forms}
        # What formset.save() would record, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = (
            [],
            [],
            [],
        )
        for variant_form in formset.forms:
            if not variant_form.has_changed():
                continue
            data = {
                f: variant_form.cleaned_data[f]
                for f in ("sku", "price", "options", "is_active")
            }
            try:
                if variant_form.instance.pk in existing:
                    services.variant_update(
                        variant_id=variant_form.instance.pk, data=data
                    )
                else:
                    services.variant_create(product_id=form.instance.pk, **data)
            except ValidationFailed as exc:
                errors = "; ".join(
                    f"{field}: {' '.join(msgs)}"
                    for field, msgs in exc.extra["errors"].items()
                )
                self.message_user(
                    request,
                    f"Variant {data['sku']} not saved: {errors}",
                    messages.ERROR,
                )

    def has_delete_permission(self, request, obj=None):
        return False  # products are deactivated, never deleted (order history)

    def save_model(self, request, obj, form, change):
        try:
            if change:
                data = {f: form.cleaned_data[f] for f in form.changed_data}
                services.product_update(product_id=obj.pk, data=data)
            else:
                data = {
                    f: form.cleaned_data[f]
                    for f in (
                        "sku",
                        "name",
                        "slug",
                        "category",
                        "price",
                        "tax_class",
                        "description",
                        "is_active",
                    )
                }
                obj.pk = services.product_create(**data).pk
        except ValidationFailed as exc:
            # Checked again by the form's own validation first; only a race lands here.
            raise _as_form_error(exc) from exc

    def _save_image_formset(self, request, form, formset):
        """The image inline saves through the image services (files, positions
        and the event); the attributes set here feed the admin's history."""
        product_id = form.instance.pk
        deleted = [f for f in formset.deleted_forms if f.instance.pk is not None]
        formset.deleted_objects = [f.instance for f in deleted]
        formset.new_objects, formset.changed_objects = [], []
        for image_form in deleted:
            image_services.product_image_delete(
                product_id=product_id, image_id=image_form.instance.pk
            )
        for image_form in formset.forms:
            if image_form in formset.deleted_forms or not image_form.has_changed():
                continue
            data = image_form.cleaned_data
            if image_form.instance.pk is None:
                added = image_services.product_image_add(
                    product_id=product_id,
                    upload=data["image"],
                    alt_text=data.get("alt_text", ""),
                    position=data.get("position"),
                )
                formset.new_objects.append(added)
                continue
            changed = {
                field: data[field]
                for field in image_form.changed_data
                if field in ("alt_text", "position") and data[field] is not None
            }
            if changed:
                image_services.product_image_update(
                    product_id=product_id, image_id=image_form.instance.pk, data=changed
                )
                formset.changed_objects.append((image_form.instance, list(changed)))

    @admin.action(description="Activate selected products")
    def activate_selected(self, request, queryset):
        self._set_active(request, queryset, services.product_activate, "activated")

    @admin.action(description="Deactivate selected products")
    def deactivate_selected(self, request, queryset):
        self._set_active(request, queryset, services.product_deactivate, "deactivated")

    def _set_active(self, request, queryset, service, verb: str) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        for product_id in ids:
            service(product_id=product_id)
        self.message_user(request, f"{len(ids)} product(s) {verb}.", messages.SUCCESS)
