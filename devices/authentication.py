"""How a tablet proves who it is: its device token (docs/api.md#authentication)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.request import Request

from accounts.authentication import BearerTokenAuthentication
from accounts.tokens import TokenState, token_check
from flexcare.api.errors import TokenInvalid
from flexcare.errors import NotFound

from .models import Device, DeviceToken
from .services import device_touch


@dataclass(frozen=True)
class Tablet:
    """`request.user` on tablet endpoints."""

    device: Device
    is_authenticated: bool = True


def request_device(request: Request) -> Device:
    """The device of the tablet behind DeviceTokenAuthentication: its `Tablet` is
    `request.user`, which DRF types as a Django user."""
    return cast(Tablet, request.user).device


class DeviceTokenAuthentication(BearerTokenAuthentication):
    """The token from the body field `token` (as the platform does) or `Authorization: Bearer`.

    A missing or bad token is a 403 `token`, never a 401: that is what tablets expect.
    """

    allow_body_token = True

    def authenticate(self, request: Request) -> tuple[Tablet, str]:
        token = self.token(request)
        view = (request.parser_context or {}).get("view")
        lookup = getattr(view, "token_lookup", None)
        if lookup is not None:
            # The view looks the token up itself, in one query with what it needs (the
            # tablets' polls): whether it is valid, as token_check says, and its tablet.
            valid, device = lookup(token)
        else:
            state, row = token_check(model=DeviceToken, token=token)
            valid, device = state is TokenState.VALID, row.device if row is not None else None
        if not valid:
            raise TokenInvalid()
        if device is None:
            raise NotFound("device", "Device not found")
        device_touch(device=device)
        return Tablet(device), token or ""

    def authenticate_header(self, request: Request) -> None:
        return None


class QueryTokenAuthentication(DeviceTokenAuthentication):
    """For the `/iptv/app/*` GET calls, which carry the token in the query string."""

    allow_query_token = True


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    """Documents the device token for OpenAPI (registered on import)."""

    target_class = DeviceTokenAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The device token from tablet login. Tablets usually send it as "
            "the body field `token`; `Authorization: Bearer <token>` works too.",
        }


class QueryTokenScheme(OpenApiAuthenticationExtension):
    """Either the bearer header (`deviceToken`, defined above) or `?token=`."""

    target_class = QueryTokenAuthentication
    name = "deviceTokenQuery"

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[Any]]]:
        return [{"deviceToken": []}, {"deviceTokenQuery": []}]

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "query", "name": "token",
                "description": "The device token, in the query string (`/iptv/app/*` only)."}
