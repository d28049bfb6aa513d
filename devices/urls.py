"""Tablet login and session endpoints, at the TelecomX paths."""

from django.urls import path

from . import api, employee_api

urlpatterns = [
    path("iptv/app/login/serial", api.LoginBySerialApi.as_view(), name="tablet-login-serial"),
    path("iptv/app/login/deviceid", api.LoginByDeviceIdApi.as_view(),
         name="tablet-login-deviceid"),
    path("iptv/app/validate", api.ValidateApi.as_view(), name="tablet-validate"),
    path("iptv/app/logout", api.LogoutApi.as_view(), name="tablet-logout"),
    path("iptv/device/<str:device_id>/resettoken", employee_api.ResetTokenApi.as_view(),
         name="employee-device-resettoken"),
]
