"""`make benchmark`'s URLs: the production ones, plus the floor — a DRF view that does
nothing, on an API path so that the project's middleware treats it as it treats the tablets'
calls. Only the benchmark's settings (benchmark_settings.py) use this module."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from flexcare.urls import urlpatterns as production

FLOOR_PATH = "iptv/benchmark/floor"


class FloorApi(APIView):
    """No authentication, no query: what any DRF call costs on this stack."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        return Response({})


urlpatterns = [path(FLOOR_PATH, FloorApi.as_view()), *production]
