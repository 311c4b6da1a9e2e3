"""The application's URLs plus bare reference endpoints under /bench/."""

from django.urls import path

from bench import views
from config.urls import urlpatterns as application_urlpatterns

urlpatterns = [
    path("bench/products/", views.product_list, name="bench-product-list"),
    path("bench/products/<uuid:product_id>/", views.product_detail),
    path("bench/login/", views.login),
    path("bench/reserve/<uuid:product_id>/", views.reserve_one),
    *application_urlpatterns,
]
