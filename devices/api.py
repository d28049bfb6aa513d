"""Tablet login and session: `/iptv/app/*` (docs/api.md#tablet-login-and-session)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from flexcare.api.schema import Success, errors
from flexcare.api.views import ApiView

from .authentication import QueryTokenAuthentication, request_device
from .login_limit import LoginLimited
from .models import Device
from .services import device_login, device_token_revoke

TAG = "Tablet"


def device_wire(device: Device) -> dict[str, Any]:
    return {
        "_id": device.pk,
        "deviceId": device.device_id,
        "serial": device.serial,
        "name": device.name,
        "technicalRoomNumber": device.technical_room_number,
        "customer": device.customer_id,
    }


class DeviceOutput(serializers.Serializer):
    _id = serializers.CharField()
    deviceId = serializers.CharField()
    serial = serializers.CharField()
    name = serializers.CharField()
    technicalRoomNumber = serializers.CharField()
    customer = serializers.CharField()


class LoginOutput(DeviceOutput):
    token = serializers.CharField(help_text="Shown once. Send it with every tablet call.")


class TabletLoginThrottle(AnonRateThrottle):
    scope = "tablet_login"


class _LoginApi(ApiView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [TabletLoginThrottle]
    field = ""  # the body field identifying the device
    lookup = ""  # the service's keyword for it

    def post(self, request: Request) -> Response:
        value = request.data.get(self.field)
        if not isinstance(value, str) or not value.strip():
            raise serializers.ValidationError({self.field: f"{self.field} is required"})
        try:
            device, token = device_login(**{self.lookup: value.strip()})
        except LoginLimited as exc:
            raise Throttled(wait=exc.retry_after, detail=str(exc.message)) from exc
        return Response({"token": token, **device_wire(device)})


def _login_errors(field: str) -> dict:
    return errors(
        (403, "access_denied", "The tablet's customer is blocked"),
        (404, "device", "The device is not registered"),
        (409, "locked", "The device is locked or not open for login: an employee must reset "
         "its token"),
        (422, field, "The field is missing, empty or not text"),
        (429, "rate_limited", "Too many logins from this address, or refused ones for this "
         "serial or barcode"),
    )


# _LoginApi.post: text with a non-space.
_LOGIN_VALUE = {"type": "string", "minLength": 1, "pattern": r"\S"}
def _login_request(field: str) -> dict:
    body = {"type": "object", "properties": {field: _LOGIN_VALUE}, "required": [field]}
    return {"application/json": body, "application/x-www-form-urlencoded": body}


_LOGIN_DESCRIPTION = (
    "Open only within the tablet's claim window: `TABLET_CLAIM_MINUTES` (30) after its "
    "registration or a token reset; a login closes it. Throttled per client address "
    "(`TABLET_LOGIN_RATE`) and per serial or barcode: after 10 refused or failed logins with one "
    "value within 15 minutes, logins with it are refused until 15 minutes after the first."
)


@extend_schema_view(post=extend_schema(
    tags=[TAG], summary="Tablet login by serial", description=_LOGIN_DESCRIPTION,
    request=_login_request("serial"),
    responses={200: LoginOutput, **_login_errors("serial")},
))
class LoginBySerialApi(_LoginApi):
    field, lookup = "serial", "serial"


@extend_schema_view(post=extend_schema(
    tags=[TAG], summary="Tablet login by barcode (deviceId)", description=_LOGIN_DESCRIPTION,
    request=_login_request("deviceId"),
    responses={200: LoginOutput, **_login_errors("deviceId")},
))
class LoginByDeviceIdApi(_LoginApi):
    field, lookup = "deviceId", "device_id"


_TOKEN_QUERY = OpenApiParameter(
    "token", str, OpenApiParameter.QUERY,
    description="The device token, unless it is sent as `Authorization: Bearer` (which wins)",
)


_SESSION_ERRORS = errors(
    (403, "token", "Access denied"),
    (404, "device", "The token's device no longer exists"),
)


class ValidateApi(ApiView):
    authentication_classes = [QueryTokenAuthentication]

    @extend_schema(tags=[TAG], summary="Check a tablet token", parameters=[_TOKEN_QUERY],
                   responses={200: DeviceOutput, **_SESSION_ERRORS})
    def get(self, request: Request) -> Response:
        return Response(device_wire(request_device(request)))


class LogoutApi(ApiView):
    authentication_classes = [QueryTokenAuthentication]

    @extend_schema(
        tags=[TAG], summary="Tablet logout: the token stops working at once",
        parameters=[_TOKEN_QUERY],
        responses={200: Success, **_SESSION_ERRORS},
    )
    def get(self, request: Request) -> Response:
        device_token_revoke(token=str(request.auth))  # the plain token, as authenticated
        return Response({"success": True})
