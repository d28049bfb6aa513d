"""The employees' meeting endpoints (docs/api.md#employee-endpoints). Thin: every object is found
through the access rule (accounts.access.find_for_user: outside scope 404, beyond one's level
403) and every change is a service's, which answers its own refusals."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import QueryDict
from django.utils import translation
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import find_for_user, require_perm
from accounts.authentication import UserTokenAuthentication, request_employee
from accounts.models import Customer, User
from accounts.services import require_meeting_customer
from devices.models import Device
from flexcare.api.parsers import nested_form
from flexcare.api.query import bad_request, body_time, query_date
from flexcare.api.schema import DATE, OBJECT_ID, errors, query
from flexcare.api.views import ApiView, require_object_id
from flexcare.errors import Invalid, NotFound
from flexcare.ids import is_object_id

from ..guests import NewGuest, guests_add
from ..lifecycle import meeting_end
from ..models import Conference
from ..schedule import meeting_reschedule
from ..selectors import (
    meeting_document,
    meeting_documents,
    meeting_participant,
    meetings_between,
)
from ..services import MAX_DEVICES_PER_MEETING, command_queue, meeting_create
from ..wire import command_wire, employee_meeting_wire
from .schema import (
    ADD_GUESTS_FORM,
    CREATE_COMMAND_FORM,
    CREATE_COMMAND_JSON,
    CREATE_MEETING_FORM,
    RESCHEDULE,
    AddGuestsIn,
    CommandOut,
    CreateMeetingIn,
    DeviceStateOut,
    EmployeeMeetingOut,
    MeetingListOut,
)

TAG = "Employee"
VIEW, CREATE, CHANGE = (
    "conferences.view_conference", "conferences.add_conference", "conferences.change_conference"
)
QUEUE = "conferences.add_command"

_AUTH = (401, "invalid_token", "Token missing, unknown, revoked or expired (`expired`)")
_ID = (404, "id", "Malformed id in the path")
_MEETING = (404, "meeting", "No such meeting in the caller's scope")
_DENIED = (403, "access_denied", "The caller may see this but not change it (VIEWER)")
JSON, FORM = "application/json", "application/x-www-form-urlencoded"


class EmployeeApi(ApiView):
    authentication_classes = [UserTokenAuthentication]


def request_body(request: Request) -> tuple[dict[str, Any], bool]:
    """The body as a JSON-like object, and whether it came form-encoded (strings only)."""
    if isinstance(request.data, QueryDict):
        return nested_form(request.data), True
    return dict(request.data), False


def meeting_out(meeting: Conference) -> dict[str, Any]:
    return employee_meeting_wire(*meeting_document(meeting))


_GUESTS = (422, "guests", "guests not a list of {email, name}, a bad e-mail address, or more "
           "than 20 guests")
_TIMES = [
    (422, "startTime", "Not a time with an offset, not in the future, more than 90 days ahead, "
     "or missing beside endTime"),
    (422, "endTime", "Not a time with an offset, not after startTime, or longer than the "
     "maximum duration"),
]


class CreateMeetingApi(EmployeeApi):
    @extend_schema(
        tags=[TAG], summary="Create a meeting for one or more tablets, now or booked ahead",
        description="The meeting is CREATED with provisioning PENDING; its room is booked in "
        "the background. Without `startTime` and `endTime` it is for now, as on the TelecomX "
        "platform; with them it is booked ahead: its tablets see it "
        "MEETING_TABLET_LEAD_SECONDS before its start, are sent START_MEETING at the start and "
        "HANGUP at the end. A tablet's meetings may not overlap. `guests` are invited by "
        "e-mail. Needs MANAGER or above for the customer. Checks in this order: 400 "
        "`customer`, 400 `devices`, 403/404 `customer`, 409 `customer`, 400 `employee`, 404 "
        "`device`, 409 `device`.",
        request={JSON: CreateMeetingIn, FORM: CREATE_MEETING_FORM},
        examples=[
            OpenApiExample("Two tablets, now", request_only=True, media_type=JSON, value={
                "customer": "65f1c0ffee0000000000c001",
                "devices": [{"_id": "65f1c0ffee0000000000d001"}, "65f1c0ffee0000000000d002"]}),
            OpenApiExample("Booked ahead, with a guest", request_only=True, media_type=JSON,
                           value={
                "customer": "65f1c0ffee0000000000c001", "devices": ["65f1c0ffee0000000000d001"],
                "startTime": "2026-03-03T10:00:00+01:00", "endTime": "2026-03-03T10:30:00+01:00",
                "guests": [{"email": "anna@example.dk", "name": "Anna"}], "language": "da"}),
        ],
        responses={200: EmployeeMeetingOut, **errors(
            (400, "customer", "customer missing or not an id"),
            (400, "devices", f"devices missing, empty, not a list, an entry neither an id nor "
             f"an object with an id `_id`, or more than {MAX_DEVICES_PER_MEETING}"),
            (400, "employee", "employee is not an employee of the customer the caller sees"),
            _AUTH, _DENIED, (404, "customer", "No such customer in the caller's scope"),
            (404, "device", "A device is not the customer's"),
            (409, "customer", "Customer does not have IPTV (or is blocked)"),
            (409, "device", "Device is already in an active meeting (a meeting for now whose "
             "tablet is in one under way), or Device is already booked at that time"),
            *_TIMES, _GUESTS, (422, "language", "Not one of the portal's languages"),
        )},
    )
    def post(self, request: Request) -> Response:
        # The contract's order of checks: the body's shape, then the customer, then whom and
        # what the meeting is for.
        body, form = request_body(request)
        customer_id = body.get("customer")
        if not is_object_id(customer_id):
            raise bad_request("customer", "Customer is invalid")
        device_ids = _device_ids(body.get("devices"), form)
        user = request_employee(request)
        customer = find_for_user(Customer.objects, user, customer_id, perm=CREATE,
                                 code="customer", message="Customer not found")
        require_meeting_customer(customer)
        employee = _employee(body.get("employee"), user, customer)
        devices = list(Device.objects.for_user(user).filter(pk__in=device_ids))
        if len(devices) != len(device_ids):
            raise NotFound("device", "Device not found")
        language = body.get("language")
        if language is not None and not isinstance(language, str):
            raise Invalid("language", "language must be a string")
        meeting = meeting_create(
            customer=customer, devices=devices, employee=employee, actor=user,
            start=body_time(body.get("startTime"), "startTime"),
            end=body_time(body.get("endTime"), "endTime"),
            guests=_guests(body.get("guests"), required=False),
            # The creator's language: the one their client asks for (the API itself answers
            # in English whatever it asks).
            language=language or translation.get_language_from_request(request),
        )
        return Response(meeting_out(meeting))


def _guests(value: object, *, required: bool) -> list[NewGuest]:
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise Invalid("guests", "guests must be a list of {email, name}")
    guests = []
    for number, item in enumerate(value, 1):
        email = item.get("email") if isinstance(item, dict) else None
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(email, str) or not isinstance(name, str | None):
            raise Invalid("guests", f"Guest {number}: an object with an e-mail address (and "
                                    "a name, optional)")
        guests.append(NewGuest(email=email, name=name or ""))
    return guests


def _device_ids(devices: object, form: bool) -> set[str]:
    if form and isinstance(devices, str):
        devices = [devices]  # one form field
    if not devices:
        raise bad_request("devices", "At least one device is required")
    if not isinstance(devices, list):
        raise bad_request("devices", "devices must be a list")
    if len(devices) > MAX_DEVICES_PER_MEETING:
        raise bad_request("devices", f"A meeting has at most {MAX_DEVICES_PER_MEETING} devices")
    ids: list[Any] = [item.get("_id") if isinstance(item, dict) else item for item in devices]
    if not all(is_object_id(pk) for pk in ids):
        raise bad_request("devices", "Each device is an id or an object with `_id`")
    return set(ids)


def _employee(value: object, caller: User, customer: Customer) -> User:
    if value in (None, "", caller.pk):
        return caller
    employee = (
        User.objects.for_user(caller).filter(pk=value, customer=customer, is_active=True).first()
        if is_object_id(value) else None
    )
    if employee is None:
        raise bad_request("employee", "Employee is invalid")
    return employee


class CreateCommandApi(EmployeeApi):
    @extend_schema(
        tags=[TAG], summary="Queue a command for a tablet in the meeting",
        description="JSON bodies keep their types strictly (`value` must be a JSON boolean, "
        "`volume` a JSON integer). Form-encoded bodies (`command[type]=…` or `command.type=…`) "
        "carry strings, so there `value` may be `true`/`false`/`1`/`0` and `volume` an "
        "integer in digits. Needs MANAGER or above.",
        request={JSON: CREATE_COMMAND_JSON, FORM: CREATE_COMMAND_FORM},
        examples=[
            OpenApiExample("Volume", request_only=True, media_type=JSON, value={
                "deviceId": "65f1c0ffee0000000000d001",
                "command": {"type": "SET_VOLUME", "volume": 60}}),
            OpenApiExample("Camera off", request_only=True, media_type=JSON, value={
                "deviceId": "65f1c0ffee0000000000d001",
                "command": {"type": "CAMERA_ON", "value": False}}),
        ],
        responses={200: CommandOut, **errors(
            _AUTH, _DENIED, _ID, _MEETING, (404, "device", "Device not found in meeting"),
            (409, "meeting", "Meeting is closed, or not ready for START_MEETING"),
            (422, "command.type", "Unknown command type"),
            (422, "command.value", "value must be true or false"),
            (422, "command.volume", "volume must be a whole number from 0 to 100"),
            (422, "command.quality", "quality must be LOW, MEDIUM, HIGH or VERY_HIGH"),
            (422, "deviceId", "deviceId missing or not text"),
            (422, "command", "command missing or not an object"),
            (429, "device", "Too many unfinished commands for this device"),
        )},
    )
    def post(self, request: Request, meeting_id: str) -> Response:
        meeting = find_for_user(Conference.objects, request.user, require_object_id(meeting_id),
                                perm=QUEUE, code="meeting", message="Meeting not found")
        body, form = request_body(request)
        device_id, command = body.get("deviceId"), body.get("command")
        if not isinstance(device_id, str) or not device_id:
            raise Invalid("deviceId", "deviceId is required")
        if not isinstance(command, dict):
            raise Invalid("command", "command must be an object")
        if form:
            command = _form_command(command)
        device = Device.objects.for_user(request.user).filter(pk=device_id).first()
        if device is None:
            raise NotFound("device", "Device not found in meeting")
        queued = command_queue(
            # As sent: the service refuses a type that is not a command type, like a bad value.
            meeting=meeting, device=device, type=command.get("type"),  # type: ignore[arg-type]  # see above
            value=command.get("value"), volume=command.get("volume"),
            quality=command.get("quality"), created_by=request_employee(request),
        )
        return Response(command_wire(queued))


_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _form_command(command: dict[str, Any]) -> dict[str, Any]:
    """Form values are strings: read booleans and whole numbers; anything else is left as it
    is, for the service to refuse."""
    command = dict(command)
    value, volume = command.get("value"), command.get("volume")
    if isinstance(value, str) and value.lower() in _BOOLEANS:
        command["value"] = _BOOLEANS[value.lower()]
    if isinstance(volume, str) and re.fullmatch(r"-?\d{1,6}", volume):
        command["volume"] = int(volume)
    return command


class CloseMeetingApi(EmployeeApi):
    @extend_schema(
        tags=[TAG], summary="End the meeting (idempotent)",
        description="Queues HANGUP for every tablet; the meeting is CLOSED when they all hung "
        "up or after a grace period. Closing a closed meeting changes nothing. Needs MANAGER "
        "or above.",
        request=None,
        responses={200: EmployeeMeetingOut, **errors(_AUTH, _DENIED, _ID, _MEETING)},
    )
    def post(self, request: Request, meeting_id: str) -> Response:
        meeting = find_for_user(Conference.objects, request.user, require_object_id(meeting_id),
                                perm=CHANGE, code="meeting", message="Meeting not found")
        ended = meeting_end(meeting=meeting, ended_by=request_employee(request))
        return Response(meeting_out(ended.meeting))


class MeetingApi(EmployeeApi):
    @extend_schema(
        tags=[TAG], summary="Move a meeting that has not begun",
        description="New `startTime` and/or `endTime` (only `endTime`: the start stays; only "
        "`startTime`: the length stays), by the same rules as when creating one. The VDX "
        "booking is moved, and the guests are sent the changed invitation. Needs MANAGER or "
        "above.",
        request={JSON: RESCHEDULE, FORM: RESCHEDULE},
        examples=[OpenApiExample("Half an hour later", request_only=True, value={
            "startTime": "2026-03-03T10:30:00+01:00", "endTime": "2026-03-03T11:00:00+01:00"})],
        responses={200: EmployeeMeetingOut, **errors(
            _AUTH, _DENIED, _ID, _MEETING,
            (409, "meeting", "The meeting has begun (its start time has come), or is closed"),
            (409, "device", "Device is already booked at that time"), *_TIMES,
        )},
    )
    def patch(self, request: Request, meeting_id: str) -> Response:
        meeting = find_for_user(Conference.objects, request.user, require_object_id(meeting_id),
                                perm=CHANGE, code="meeting", message="Meeting not found")
        body, _form = request_body(request)
        meeting = meeting_reschedule(meeting=meeting,
                                     start=body_time(body.get("startTime"), "startTime"),
                                     end=body_time(body.get("endTime"), "endTime"),
                                     actor=request_employee(request))
        return Response(meeting_out(meeting))


class AddGuestsApi(EmployeeApi):
    @extend_schema(
        tags=[TAG], summary="Invite more guests to the meeting",
        description="Each new guest is e-mailed an invitation (status PENDING until it is "
        "sent); an address already invited is not invited again. At most 20 guests per "
        "meeting. Needs MANAGER or above.",
        request={JSON: AddGuestsIn, FORM: ADD_GUESTS_FORM},
        examples=[OpenApiExample("One guest", request_only=True, value={
            "guests": [{"email": "anna@example.dk", "name": "Anna"}]})],
        responses={200: EmployeeMeetingOut, **errors(
            _AUTH, _DENIED, _ID, _MEETING,
            (409, "meeting", "The meeting is closed or ending"), _GUESTS,
        )},
    )
    def post(self, request: Request, meeting_id: str) -> Response:
        meeting = find_for_user(Conference.objects, request.user, require_object_id(meeting_id),
                                perm=CHANGE, code="meeting", message="Meeting not found")
        body, _form = request_body(request)
        guests_add(meeting=meeting, guests=_guests(body.get("guests"), required=True),
                   actor=request_employee(request))
        return Response(meeting_out(meeting))


class DeviceStateApi(EmployeeApi):
    @extend_schema(
        tags=[TAG], summary="A tablet's commands, the meeting state and its settings snapshot",
        description="Reading changes nothing (commands are not marked fetched).",
        responses={200: DeviceStateOut, **errors(
            _AUTH, _ID, _MEETING, (404, "device", "Device not found in meeting"))},
    )
    def get(self, request: Request, meeting_id: str, device_id: str) -> Response:
        meeting = find_for_user(Conference.objects, request.user, require_object_id(meeting_id),
                                perm=VIEW, code="meeting", message="Meeting not found")
        participant, commands = meeting_participant(meeting, require_object_id(device_id))
        return Response({"commands": [command_wire(command) for command in commands],
                         "state": meeting.state, "settings": participant.settings})


# Whole numbers in a query have at most nine digits.
MAX_INT = 999_999_999


class MeetingListApi(EmployeeApi):
    @extend_schema(
        tags=[TAG], summary="Meetings created in a date range, newest first",
        description=f"Whole days in the portal's time zone ({settings.TIME_ZONE}), both "
        "inclusive; both default to today.",
        parameters=[
            query("customer", OBJECT_ID,
                  "Only this customer's meetings (in the caller's scope)"),
            query("dateFrom", DATE, "First day; default today"),
            query("dateTo", DATE, "Last day, not before `dateFrom`; default today"),
            query("offset", {"type": "integer", "minimum": 0, "maximum": MAX_INT},
                  "Meetings to skip; default 0"),
            query("limit", {"type": "integer", "minimum": 1, "maximum": 500},
                  "Page size; default 100"),
        ],
        responses={200: MeetingListOut, **errors(
            (400, "customer", "Not an id"), (400, "dateFrom", "Not a YYYY-MM-DD date"),
            (400, "dateTo", "Not a YYYY-MM-DD date, or before dateFrom"),
            (400, "offset", "Not a whole number ≥ 0"), (400, "limit", "Not 1 to 500"), _AUTH,
            (404, "customer", "No such customer in the caller's scope"),
        )},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        offset = _int(params, "offset", 0, minimum=0)
        limit = _int(params, "limit", 100, minimum=1, maximum=500)
        zone = ZoneInfo(settings.TIME_ZONE)
        today = datetime.now(zone).date()
        first, last = query_date(params, "dateFrom", today), query_date(params, "dateTo", today)
        if last < first:
            raise bad_request("dateTo", "dateTo is before dateFrom")
        require_perm(request.user, VIEW)
        customer = None
        if "customer" in params:
            if not is_object_id(params["customer"]):
                raise bad_request("customer", "Customer is invalid")
            customer = find_for_user(Customer.objects, request.user, params["customer"],
                                     perm=VIEW, code="customer", message="Customer not found")
        meetings = meetings_between(request.user, first, last, zone, customer=customer)
        page = meetings[offset:offset + limit]
        return Response({
            "offset": offset, "limit": limit, "total": meetings.count(),
            "meetings": [employee_meeting_wire(*document)
                         for document in meeting_documents(page)],
        })


def _int(params: QueryDict, name: str, default: int, *, minimum: int,
         maximum: int = MAX_INT) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    value = int(raw) if re.fullmatch(r"-?[0-9]{1,9}", raw) else None
    if value is None or not minimum <= value <= maximum:
        raise bad_request(name, f"{name} must be a whole number from {minimum} to {maximum}")
    return value
