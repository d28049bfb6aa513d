"""The tablet's meeting endpoints (docs/api.md#tablet-endpoints). The hot path: each polls with
one SQL statement (conferences.polling), whatever the size of the meeting, plus the writes
that its answer takes."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseNotModified
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from devices.authentication import DeviceTokenAuthentication, request_device
from devices.models import Device
from flexcare.api.schema import errors
from flexcare.api.views import ApiView, require_object_id
from flexcare.errors import NotFound

from ..delivery import command_acknowledge, command_claim
from ..documents import meeting_etag, tablet_document
from ..models import ConferenceDevice
from ..polling import Poll, meeting_poll, participation_poll
from ..selectors import tablet_participation
from ..wire import command_wire
from .schema import ACK_ERROR_MAX, AckIn, AckOut, CommandsOut, MeetingOut, TokenIn

TAG = "Tablet"
_TOKEN_ERROR = (403, "token", "Token missing, unknown or revoked, or customer blocked")
_ID_ERROR = (404, "id", "Malformed id in the path")


class TabletApi(ApiView):
    authentication_classes = [DeviceTokenAuthentication]


class PollApi(TabletApi):
    """A tablet's poll: one statement (conferences.polling) checks its token and finds what
    the poll needs, which the view then has as `self.poll`."""

    poll: Poll

    def token_lookup(self, token: str | None) -> tuple[bool, Device | None]:
        """For DeviceTokenAuthentication: whether the token is valid, and its tablet."""
        found = self.find(token)
        if found is None:
            return False, None
        self.poll = found
        return True, found.device

    def find(self, token: str | None) -> Poll | None:
        raise NotImplementedError

    def participant(self, request: Request, meeting_id: str, *,
                    include_closed: bool = False) -> ConferenceDevice:
        """The tablet's place in the path's meeting, as the poll found it; if it found none,
        the selector's 404 says why (`meeting` or `device`)."""
        return self.poll.participant or tablet_participation(
            request_device(request), meeting_id, include_closed=include_closed)


class GetMeetingApi(PollApi):
    def find(self, token: str | None) -> Poll | None:
        return meeting_poll(token)

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
        poll = self.poll
        if poll.meeting_id is None:
            raise NotFound("meeting", "Meeting not found")
        etag = meeting_etag(poll.meeting_id, poll.version)
        if etag in _etags(request.headers.get("If-None-Match", "")):
            response: HttpResponse = HttpResponseNotModified()
        else:
            document = tablet_document(poll.meeting_id, poll.version)
            if document is None:  # closed since the poll found it
                raise NotFound("meeting", "Meeting not found")
            version, body = document
            etag = meeting_etag(poll.meeting_id, version)
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        response["Cache-Control"] = "no-cache"
        return response


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


class GetCommandsApi(PollApi):
    def find(self, token: str | None) -> Poll | None:
        # A malformed id finds nothing; post() answers `404 id`, after the token's checks.
        return participation_poll(token, self.kwargs["meeting_id"], deliverable=True)

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
        participant = self.participant(request, require_object_id(meeting_id))
        # Nothing to claim (the poll looked): no claiming UPDATE, no write at all.
        commands = command_claim(participant=participant) if self.poll.deliverable else []
        return Response({"commands": [command_wire(command) for command in commands]})


class AcknowledgeApi(PollApi):
    def find(self, token: str | None) -> Poll | None:
        return participation_poll(token, self.kwargs["meeting_id"], include_closed=True)

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
        participant = self.participant(request, require_object_id(meeting_id),
                                       include_closed=True)
        data = AckIn(data={"token": request.auth, **_plain(request.data)})
        data.is_valid(raise_exception=True)
        command = command_acknowledge(
            participant=participant, command_id=require_object_id(command_id),
            success=data.validated_data["success"], error=data.validated_data.get("error", ""),
        )
        return Response({"success": True, "command": command_wire(command)})


def _plain(data: object) -> dict[str, object]:
    """Request data as a plain dict (form bodies arrive as a QueryDict), without the token."""
    items = data.dict() if hasattr(data, "dict") else dict(data)  # type: ignore[call-overload]  # a QueryDict or a JSON object
    items.pop("token", None)
    return items
