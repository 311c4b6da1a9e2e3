from django.urls import path

from apps.users.api import address_views, views

app_name = "users"
urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path("me/password/", views.PasswordChangeApi.as_view(), name="me-password"),
    path("me/email/", views.EmailChangeApi.as_view(), name="me-email"),
    path("me/export/", views.MyDataExportApi.as_view(), name="me-export"),
    path("me/erase/", views.EraseApi.as_view(), name="me-erase"),
    path(
        "me/addresses/",
        address_views.AddressListCreateApi.as_view(),
        name="me-addresses",
    ),
    path(
        "me/addresses/<uuid:address_id>/",
        address_views.AddressDetailApi.as_view(),
        name="me-address",
    ),
    path(
        "<uuid:user_id>/export/",
        views.CustomerDataExportApi.as_view(),
        name="customer-export",
    ),
]
