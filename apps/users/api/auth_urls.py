from django.urls import path

from apps.users.api import views

app_name = "auth"
urlpatterns = [
    path("register/", views.RegisterApi.as_view(), name="register"),
    path("token/", views.TokenObtainApi.as_view(), name="token"),
    path("token/refresh/", views.TokenRefreshApi.as_view(), name="token-refresh"),
    path("logout/", views.LogoutApi.as_view(), name="logout"),
    path("jwks/", views.JwksApi.as_view(), name="jwks"),
    path("password-reset/", views.PasswordResetApi.as_view(), name="password-reset"),
    path(
        "password-reset/confirm/",
        views.PasswordResetConfirmApi.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "email/verification/",
        views.EmailVerificationApi.as_view(),
        name="email-verification",
    ),
    path("email/verify/", views.EmailVerifyApi.as_view(), name="email-verify"),
]
