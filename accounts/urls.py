"""Employee login and session endpoints, at the TelecomX paths."""

from django.urls import path

from . import api

urlpatterns = [
    path("auth/login", api.LoginApi.as_view(), name="employee-login"),
    path("auth/logout", api.LogoutApi.as_view(), name="employee-logout"),
    path("auth/validateToken", api.ValidateTokenApi.as_view(), name="employee-validate-token"),
]
