"""The OpenAPI security scheme of the users app's authentication class
(drf-spectacular matches its simplejwt extension by exact class)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class JWTEndedByLogoutScheme(SimpleJWTScheme):
    target_class = "apps.users.authentication.JWTAuthenticationEndedByLogout"
