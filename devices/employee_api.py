"""The employees' tablet endpoint: token reset (docs/api.md#reset-a-tablets-token)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import find_for_user
from accounts.authentication import UserTokenAuthentication
from flexcare.api.schema import Success, errors
from flexcare.api.views import ApiView, require_object_id

from .models import Device
from .services import device_token_reset


class ResetTokenApi(ApiView):
    authentication_classes = [UserTokenAuthentication]

    @extend_schema(
        tags=["Employee"], summary="Reset a tablet's token: log it out and open it for login",
        description="Revokes every token of the tablet at once and lets it log in again by "
        "serial or barcode within `TABLET_CLAIM_MINUTES`. Needs MANAGER or above for the "
        "tablet's customer.",
        request=None,
        responses={200: Success, **errors(
            (401, "invalid_token", "Token missing, unknown, revoked or expired (`expired`)"),
            (403, "access_denied", "The caller may see the tablet but not change it (VIEWER)"),
            (404, "id", "Malformed id in the path"),
            (404, "device", "No such tablet in the caller's scope"),
        )},
    )
    def post(self, request: Request, device_id: str) -> Response:
        device = find_for_user(Device.objects, request.user, require_object_id(device_id),
                               perm="devices.change_device", code="device",
                               message="Device not found")
        device_token_reset(device=device, actor=request.user)
        return Response({"success": True})
