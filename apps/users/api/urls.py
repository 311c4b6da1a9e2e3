from django.urls import path

from apps.users.api import views

app_name = "users"
urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path("me/password/", views.PasswordChangeApi.as_view(), name="me-password"),
]
