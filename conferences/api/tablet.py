"""The tablet's meeting endpoints (docs/api.md#tablet-endpoints). The hot path: each is a
constant handful of queries whatever the size of the meeting."""

from __future__ import annotations

import hashlib
import json

from django.http import HttpResponse, HttpResponseNotModified
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from devices.authentication import DeviceTokenAuthentication, request_device
from flexcare.api.schema import errors
from flexcare.api.views import ApiView, require_object_id
from flexcare.errors import NotFound

from ..delivery import command_acknowledge, command_claim
from ..selectors import tablet_meeting, tablet_participation
from ..wire import command_wire, meeting_wire
from .schema import ACK_ERROR_MAX, AckIn, AckOut, CommandsOut, MeetingOut, TokenIn

TAG = "Tablet"
_TOKEN_ERROR = (403, "token", "Token missing, unknown or revoked, or customer blocked")
_ID_ERROR = (404, "id", "Malformed id in the path")


class TabletApi(ApiView):
    authentication_classes = [DeviceTokenAuthentication]


class GetMeetingApi(TabletApi):
    @extend_schema(
        tags=[TAG], summary="getmeeting: the device's ready meeting",
        description="Polled by tablets. Carries an `ETag`; send it back as `If-None-Match` "
        "to get `304 Not Modified` while nothing changed. Reading does not mark commands "
        "fetched.",
        request=TokenIn,
        parameters=[OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER)],
        responses={
            200: MeetingOut,
            304: OpenApiResponse(description="Unchanged since the ETag sent"),
            **errors(_TOKEN_ERROR, (404, "device", "The token's device no longer exists"),
                     (404, "meeting", "No ready meeting for this device")),
        },
    )
    def post(self, request: Request) -> HttpResponse:
        found = tablet_meeting(request_device(request))
        if found is None:
            raise NotFound("meeting", "Meeting not found")
        body = json.dumps(meeting_wire(*found), separators=(",", ":")).encode()
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        if etag in _etags(request.headers.get("If-None-Match", "")):
            response: HttpResponse = HttpResponseNotModified()
        else:
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        response["Cache-Control"] = "no-cache"
        return response


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


class GetCommandsApi(TabletApi):
    @extend_schema(
        tags=[TAG], summary="getcommands: claim the device's deliverable commands",
        description="Returns the caller's commands that are queued (or whose claim expired), "
        "oldest first, and claims them: a concurrent poll does not get them again until the "
        "claim expires. Acknowledge each with `…/executed`.",
        request=TokenIn,
        responses={200: CommandsOut, **errors(
            _TOKEN_ERROR, _ID_ERROR, (404, "meeting", "Meeting not found or closed"),
            (404, "device", "Device not found in meeting"),
        )},
    )
    def post(self, request: Request, meeting_id: str) -> Response:
        participant = tablet_participation(request_device(request), require_object_id(meeting_id))
        commands = command_claim(participant=participant)
        return Response({"commands": [command_wire(command) for command in commands]})


class AcknowledgeApi(TabletApi):
    @extend_schema(
        tags=[TAG], summary="Acknowledge a command as executed (or failed)",
        description="Idempotent. `success: false` marks the command FAILED with `error`.",
        request=AckIn,
        responses={200: AckOut, **errors(
            _TOKEN_ERROR, _ID_ERROR, (404, "meeting", "Meeting not found"),
            (404, "device", "Device not found in meeting"),
            (404, "command", "Unknown, or not the caller's"),
            (409, "command", "The command was expired, canceled or finished otherwise"),
            (422, "success", "Not a boolean"),
            (422, "error", f"Not text, or longer than {ACK_ERROR_MAX:,} characters"),
        )},
    )
    def post(self, request: Request, meeting_id: str, command_id: str) -> Response:
        device = request_device(request)
        participant = tablet_participation(
            device, require_object_id(meeting_id), include_closed=True
        )
        data = AckIn(data={"token": request.auth, **_plain(request.data)})
        data.is_valid(raise_exception=True)
        command = command_acknowledge(
            device=device, participant=participant, command_id=require_object_id(command_id),
            success=data.validated_data["success"], error=data.validated_data.get("error", ""),
        )
        return Response({"success": True, "command": command_wire(command)})


def _plain(data: object) -> dict[str, object]:
    """Request data as a plain dict (form bodies arrive as a QueryDict), without the token."""
    items = data.dict() if hasattr(data, "dict") else dict(data)  # type: ignore[call-overload]  # a QueryDict or a JSON object
    items.pop("token", None)
    return items
