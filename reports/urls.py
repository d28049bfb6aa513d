"""The usage report: the API at its contract path; the portal page beside the admin's, which
wraps it (login, staff, the admin's chrome)."""

from django.conf import settings
from django.contrib import admin
from django.urls import path

from . import api, views

urlpatterns = [
    path("flexcare/reports/usage", api.UsageApi.as_view(), name="reports-usage-api"),
    path(f"{settings.ADMIN_URL}usage/", admin.site.admin_view(views.usage_page),
         name="reports-usage"),
    path(f"{settings.ADMIN_URL}usage/csv", admin.site.admin_view(views.usage_csv),
         name="reports-usage-csv"),
]
