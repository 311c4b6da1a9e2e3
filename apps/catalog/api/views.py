"""Catalog HTTP API: anyone reads active products, staff write."""

import uuid

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from apps.catalog import selectors, services
from apps.catalog.api.cache import CachedAnonymousReads
from apps.catalog.api.filters import ProductFilter
from apps.catalog.api.pagination import LeanPageNumberPagination
from apps.catalog.api.serializers import (
    CategoryInSerializer,
    CategoryOutSerializer,
    ProductDetailOutSerializer,
    ProductInSerializer,
    ProductOutSerializer,
    VariantInSerializer,
    VariantOutSerializer,
    product_detail_out,
    product_out,
    variant_out,
)
from apps.catalog.errors import ProductNotFound, VariantNotFound
from apps.catalog.models import Variant
from apps.catalog.selectors.facets import product_facets
from apps.common.errors import NotFound, ValidationFailed
from apps.common.permissions import IsStaffOrReadOnly


def _is_staff(request) -> bool:
    return bool(request.user and request.user.is_staff)


def _product_response(request, product_id: uuid.UUID, status_code=status.HTTP_200_OK):
    staff = _is_staff(request)
    row = selectors.product_get_row(product_id=product_id, include_inactive=staff)
    if row is None:
        raise ProductNotFound(f"No product with id {product_id}.")
    variants = selectors.product_variants(product_id=product_id, include_inactive=staff)
    return Response(product_detail_out(row, variants), status=status_code)


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
        response = self.get_paginated_response([product_out(row) for row in rows])
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

        An inactive product is a 404 for everyone but staff.
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
