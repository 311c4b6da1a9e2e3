"""The application's URLs plus the bare reference endpoints of bench/catalog.py:
the same views as `make bench`'s (bench/views.py says what each one does)."""

from django.urls import path

from bench import views
from config.urls import urlpatterns as application_urlpatterns

urlpatterns = [
    path("bench/catalog/products/", views.product_list),
    path("bench/catalog/products/<uuid:product_id>/", views.product_detail),
    *application_urlpatterns,
]
