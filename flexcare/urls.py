"""URL configuration. API paths are the TelecomX ones: no prefix, no trailing slash."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .health import health

urlpatterns = [
    # First: the tablets' polls are most of the traffic, and resolving a path tries the
    # patterns in order (no other app's path overlaps these).
    path("", include("conferences.urls")),
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
    path("health", health, name="health"),
    path("health/", health),  # what a load balancer's probe is often written with
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the admin's switch
    path("", include("accounts.urls")),
    path("", include("devices.urls")),
    path("", include("reports.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
