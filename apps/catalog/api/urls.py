from django.urls import path

from apps.catalog.api import views

app_name = "catalog"
urlpatterns = [
    path("products/", views.ProductListCreateApi.as_view(), name="product-list"),
    path(
        "products/<uuid:product_id>/",
        views.ProductDetailApi.as_view(),
        name="product-detail",
    ),
    path(
        "products/<uuid:product_id>/images/",
        views.ProductImageCreateApi.as_view(),
        name="product-image-list",
    ),
    path(
        "products/<uuid:product_id>/images/<int:image_id>/",
        views.ProductImageDetailApi.as_view(),
        name="product-image-detail",
    ),
    path(
        "products/<uuid:product_id>/variants/",
        views.ProductVariantListCreateApi.as_view(),
        name="product-variant-list",
    ),
    path(
        "products/<uuid:product_id>/variants/<uuid:variant_id>/",
        views.ProductVariantDetailApi.as_view(),
        name="product-variant-detail",
    ),
    path("categories/", views.CategoryListCreateApi.as_view(), name="category-list"),
    path(
        "categories/<slug:slug>/",
        views.CategoryDetailApi.as_view(),
        name="category-detail",
    ),
]
