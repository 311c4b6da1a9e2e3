"""Catalog HTTP API: anyone reads active products, staff write."""

import uuid

from django.conf import settings
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from apps.catalog import image_services, selectors, services
from apps.catalog.api.cache import CachedAnonymousReads
from apps.catalog.api.filters import ProductFilter
from apps.catalog.api.pagination import LeanPageNumberPagination
from apps.catalog.api.serializers import (
    IMAGE_EXAMPLE,
    CategoryInSerializer,
    CategoryOutSerializer,
    ProductDetailOutSerializer,
    ProductImageChangeSerializer,
    ProductImageInSerializer,
    ProductImageOutSerializer,
    ProductInSerializer,
    ProductOutSerializer,
    VariantInSerializer,
    VariantOutSerializer,
    image_out,
    media_urls,
    product_detail_out,
    product_out,
    variant_out,
)
from apps.catalog.errors import ImageUploadTooLarge, ProductNotFound, VariantNotFound
from apps.catalog.models import Variant
from apps.catalog.selectors.facets import product_facets
from apps.common.errors import NotFound, ValidationFailed
from apps.common.permissions import IsStaff, IsStaffOrReadOnly


def _is_staff(request) -> bool:
    return bool(request.user and request.user.is_staff)


def _product_response(request, product_id: uuid.UUID, status_code=status.HTTP_200_OK):
    staff = _is_staff(request)
    row = selectors.product_get_row(product_id=product_id, include_inactive=staff)
    if row is None:
        raise ProductNotFound(f"No product with id {product_id}.")
    variants = selectors.product_variants(product_id=product_id, include_inactive=staff)
    images = selectors.product_image_rows(product_id=product_id)
    body = product_detail_out(row, variants, images, url=media_urls(request))
    return Response(body, status=status_code)


def _facets_requested(request) -> bool:
    value = request.query_params.get("facets", "0")
    if value not in ("0", "1", "true", "false"):
        raise ValidationFailed({"facets": ["Use 1 or 0."]})
    return value in ("1", "true")


FACETS_PARAMETER = OpenApiParameter(
    "facets",
    type=bool,
    description=(
        "1: add `facets` beside `results`: counts per category, price band (of"
        " the lowest price), option value and availability over the whole"
        " filtered result."
    ),
)


class ProductListCreateApi(CachedAnonymousReads, GenericAPIView):
    permission_classes = [IsStaffOrReadOnly]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilter
    pagination_class = LeanPageNumberPagination
    serializer_class = ProductOutSerializer

    def get_queryset(self):
        return selectors.product_queryset(include_inactive=_is_staff(self.request))

    @extend_schema(
        operation_id="catalog_products_list",
        parameters=[FACETS_PARAMETER],
        responses=ProductOutSerializer(many=True),
    )
    def get(self, request):
        """List products.

        Active products, newest first (most relevant first with `q`) unless `ordering`
        says otherwise; staff also see inactive ones. Filters combine; pages have no
        count (see `next`). `facets=1` adds facet counts of the whole result.
        """
        with_facets = _facets_requested(request)
        products = self.get_queryset()
        if ProductFilter.is_requested(request.query_params):
            products = self.filter_queryset(products)
        rows = self.paginate_queryset(selectors.product_rows(products))
        url = media_urls(request)
        response = self.get_paginated_response([product_out(r, url=url) for r in rows])
        if with_facets:
            response.data["facets"] = product_facets(products)
        return response

    @extend_schema(
        request=ProductInSerializer, responses={201: ProductDetailOutSerializer}
    )
    def post(self, request):
        """Create a product.

        Staff only. The price is in the shop's currency; the slug is derived from the
        name and SKU unless given. Without `variants` the product has one variant
        with the product's own id, SKU and price.
        """
        serializer = ProductInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_create(**serializer.validated_data)
        return _product_response(request, product.pk, status.HTTP_201_CREATED)


class ProductDetailApi(CachedAnonymousReads, GenericAPIView):
    permission_classes = [IsStaffOrReadOnly]
    serializer_class = ProductDetailOutSerializer

    def get(self, request, product_id: uuid.UUID):
        """Get a product.

        With all its images in display order and its options and variants. An
        inactive product is a 404 for everyone but staff.
        """
        return _product_response(request, product_id)

    @extend_schema(
        request=ProductInSerializer, responses={200: ProductDetailOutSerializer}
    )
    def patch(self, request, product_id: uuid.UUID):
        """Change a product.

        Staff only. The price (and SKU) of a single-variant product is its variant's;
        a product with several variants is a 400 on `price` (change the variants).
        A price change publishes `catalog.product.price_changed.v1`.
        """
        serializer = ProductInSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "variants" in serializer.validated_data:
            raise ValidationFailed(
                {"variants": ["Change variants at their own address."]}
            )
        services.product_update(
            product_id=product_id, data=dict(serializer.validated_data)
        )
        return _product_response(request, product_id)

    @extend_schema(responses={204: None})
    def delete(self, request, product_id: uuid.UUID):
        """Deactivate a product.

        Staff only. The product stays for past orders and leaves the listing.
        """
        services.product_deactivate(product_id=product_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _refuse_a_body_past_the_image_limit(request) -> None:
    """Before parsing: Django would otherwise stream a body of any size to a
    temporary file before the service could refuse it."""
    limit = settings.CATALOG_IMAGE_UPLOAD_MAX_BODY
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise ImageUploadTooLarge(
            f"The request body is larger than {limit} bytes; an image may have "
            f"at most {settings.CATALOG_IMAGE_MAX_BYTES}."
        )


def _image_response(request, image, status_code=status.HTTP_200_OK) -> Response:
    row = selectors.product_image_row(image_id=image.pk)
    return Response(image_out(row, url=media_urls(request)), status=status_code)


class ProductImageCreateApi(GenericAPIView):
    permission_classes = [IsStaff]
    parser_classes = [MultiPartParser]
    serializer_class = ProductImageInSerializer

    @extend_schema(
        request={"multipart/form-data": ProductImageInSerializer},
        responses={201: ProductImageOutSerializer},
        examples=[
            OpenApiExample(
                "An image upload",
                value={
                    "image": "(the file's bytes)",
                    "alt_text": "The lamp, switched on",
                    "position": 0,
                },
                request_only=True,
                media_type="multipart/form-data",
            ),
            OpenApiExample(
                "The stored image",
                value=IMAGE_EXAMPLE,
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request, product_id: uuid.UUID):
        """Upload an image of a product.

        Staff only; multipart/form-data. The file must be a JPEG, PNG or WebP by its
        content, within the size and dimension limits; otherwise a 400 naming `image`
        and nothing is stored. Thumbnails are made at once. Publishes
        `catalog.product.changed.v1` (`fields`: `images`).
        """
        _refuse_a_body_past_the_image_limit(request)
        serializer = ProductImageInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        image = image_services.product_image_add(
            product_id=product_id,
            upload=data["image"],
            alt_text=data.get("alt_text", ""),
            position=data.get("position"),
        )
        return _image_response(request, image, status.HTTP_201_CREATED)


class ProductImageDetailApi(GenericAPIView):
    permission_classes = [IsStaff]
    serializer_class = ProductImageOutSerializer

    @extend_schema(
        request=ProductImageChangeSerializer,
        responses={200: ProductImageOutSerializer},
    )
    def patch(self, request, product_id: uuid.UUID, image_id: int):
        """Change an image's alt text or position.

        Staff only. A new `position` moves the others to make room (0 is first).
        Publishes `catalog.product.changed.v1` (`fields`: `images`).
        """
        serializer = ProductImageChangeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        image = image_services.product_image_update(
            product_id=product_id,
            image_id=image_id,
            data=dict(serializer.validated_data),
        )
        return _image_response(request, image)

    @extend_schema(responses={204: None})
    def delete(self, request, product_id: uuid.UUID, image_id: int):
        """Delete an image.

        Staff only. Its files are deleted once the deletion is committed. Publishes
        `catalog.product.changed.v1` (`fields`: `images`).
        """
        image_services.product_image_delete(product_id=product_id, image_id=image_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _variant_of(request, product_id: uuid.UUID, variant_id: uuid.UUID) -> dict:
    variants = selectors.product_variants(
        product_id=product_id, include_inactive=_is_staff(request)
    )
    for variant in variants:
        if variant["id"] == variant_id:
            return variant
    raise VariantNotFound(f"No variant {variant_id} of product {product_id}.")


class ProductVariantListCreateApi(CachedAnonymousReads, GenericAPIView):
    permission_classes = [IsStaffOrReadOnly]
    serializer_class = VariantOutSerializer
    pagination_class = None
    queryset = Variant.objects.none()  # for the schema generator only

    @extend_schema(
        operation_id="catalog_products_variants_list",
        responses=VariantOutSerializer(many=True),
    )
    def get(self, request, product_id: uuid.UUID):
        """List a product's variants.

        Oldest first; non-staff see the active variants of an active product only.
        """
        if (
            selectors.product_get_row(
                product_id=product_id, include_inactive=_is_staff(request)
            )
            is None
        ):
            raise ProductNotFound(f"No product with id {product_id}.")
        variants = selectors.product_variants(
            product_id=product_id, include_inactive=_is_staff(request)
        )
        return Response([variant_out(variant) for variant in variants])

    @extend_schema(request=VariantInSerializer, responses={201: VariantOutSerializer})
    def post(self, request, product_id: uuid.UUID):
        """Add a variant.

        Staff only. Its option names are those of the product's other variants (give
        a single variant its options first) and its option values are new; publishes
        `catalog.product.created.v1` under the variant's id.
        """
        serializer = VariantInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        variant = services.variant_create(
            product_id=product_id, **serializer.validated_data
        )
        return Response(
            variant_out(_variant_of(request, product_id, variant.pk)),
            status=status.HTTP_201_CREATED,
        )


class ProductVariantDetailApi(CachedAnonymousReads, GenericAPIView):
    permission_classes = [IsStaffOrReadOnly]
    serializer_class = VariantOutSerializer

    def get(self, request, product_id: uuid.UUID, variant_id: uuid.UUID):
        """Get a variant.

        An inactive variant (or one of an inactive product) is a 404 for everyone
        but staff.
        """
        if (
            selectors.product_get_row(
                product_id=product_id, include_inactive=_is_staff(request)
            )
            is None
        ):
            raise ProductNotFound(f"No product with id {product_id}.")
        return Response(variant_out(_variant_of(request, product_id, variant_id)))

    @extend_schema(request=VariantInSerializer, responses={200: VariantOutSerializer})
    def patch(self, request, product_id: uuid.UUID, variant_id: uuid.UUID):
        """Change a variant.

        Staff only. A price change publishes `catalog.product.price_changed.v1` and a
        deactivation `catalog.product.deactivated.v1`, under the variant's id.
        """
        _variant_of(request, product_id, variant_id)
        serializer = VariantInSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.variant_update(
            variant_id=variant_id, data=dict(serializer.validated_data)
        )
        return Response(variant_out(_variant_of(request, product_id, variant_id)))


class CategoryListCreateApi(CachedAnonymousReads, GenericAPIView):
    permission_classes = [IsStaffOrReadOnly]
    serializer_class = CategoryOutSerializer

    def get_queryset(self):
        return selectors.category_list()

    @extend_schema(
        operation_id="catalog_categories_list",
        responses=CategoryOutSerializer(many=True),
    )
    def get(self, request):
        """List categories.

        The whole tree, each category with its parent's slug.
        """
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CategoryOutSerializer(page, many=True).data)

    @extend_schema(request=CategoryInSerializer, responses={201: CategoryOutSerializer})
    def post(self, request):
        """Create a category.

        Staff only. Names are unique among siblings; the slug is derived from the name
        unless given.
        """
        serializer = CategoryInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_create(**serializer.validated_data)
        return Response(
            CategoryOutSerializer(category).data, status=status.HTTP_201_CREATED
        )


class CategoryDetailApi(CachedAnonymousReads, GenericAPIView):
    permission_classes = [IsStaffOrReadOnly]
    serializer_class = CategoryOutSerializer

    def _get(self, slug: str):
        category = selectors.category_get(slug=slug)
        if category is None:
            raise NotFound(f"No category {slug!r}.")
        return category

    def get(self, request, slug: str):
        """Get a category.

        By slug.
        """
        return Response(CategoryOutSerializer(self._get(slug)).data)

    @extend_schema(request=CategoryInSerializer, responses={200: CategoryOutSerializer})
    def patch(self, request, slug: str):
        """Change a category.

        Staff only. A new parent may not sit below the category itself.
        """
        category = self._get(slug)
        serializer = CategoryInSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        category = services.category_update(
            category=category, data=dict(serializer.validated_data)
        )
        return Response(CategoryOutSerializer(category).data)

    @extend_schema(responses={204: None})
    def delete(self, request, slug: str):
        """Delete a category.

        Staff only. A category with products or subcategories is a 409
        `category_in_use`.
        """
        services.category_delete(category=self._get(slug))
        return Response(status=status.HTTP_204_NO_CONTENT)
