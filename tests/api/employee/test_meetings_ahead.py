"""Meetings booked ahead and their guests on the employee API (docs/api.md#meetings-booked-ahead):
startTime/endTime on create, PATCH to move one, POST …/guests, every error row, the employee
object's new keys, and the tablet's getmeeting document unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from conferences.lifecycle import meeting_end
from conferences.models import Conference, Guest
from tests.api.conftest import error_of
from tests.api.employee.conftest import MEETING, bearer, free_device
from tests.api.test_getmeeting import MEETING_KEYS as TABLET_KEYS
from tests.api.test_getmeeting import URL as GETMEETING
from tests.api.test_getmeeting import assert_shape

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 09:00 UTC; bookings for the next morning.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def manager(tenants):
    return bearer(tenants.user_tokens["MANAGER@A1"])


def create(api, tenants, manager, **fields):
    a1 = tenants.customers["A1"]
    device = fields.pop("device", None) or free_device(a1)
    return api.post(MEETING, {"customer": a1.pk, "devices": [device.pk], **fields}, **manager)


def test_a_meeting_is_booked_ahead_in_either_time_format(api, tenants, manager):
    response = create(api, tenants, manager, startTime="2026-03-03T10:00:00+01:00",
                      endTime="2026-03-03T09:30:00.000Z")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["startTime"], body["endTime"]) == ("2026-03-03T09:00:00.000Z",
                                                    "2026-03-03T09:30:00.000Z")
    assert (body["state"], body["provisioning"], body["guests"]) == ("CREATED", "PENDING", [])
    assert body["created"] == "2026-03-02T09:00:00.000Z"


def test_without_times_the_meeting_is_for_now(api, tenants, manager, settings):
    body = create(api, tenants, manager).json()
    assert body["startTime"] == body["created"] == "2026-03-02T09:00:00.000Z"
    ends = NOW + timedelta(seconds=settings.MEETING_MAX_DURATION_SECONDS)
    assert body["endTime"] == ends.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_without_an_end_a_booking_lasts_an_hour(api, tenants, manager):
    body = create(api, tenants, manager, startTime="2026-03-03T09:00:00Z").json()
    assert body["endTime"] == "2026-03-03T10:00:00.000Z"


TIME_ERRORS = [
    ({"startTime": "2026-03-03T10:00:00"}, "startTime"),  # no offset: a guess
    ({"startTime": "2026-03-03"}, "startTime"),
    ({"startTime": "tomorrow"}, "startTime"),
    ({"startTime": 1772528400}, "startTime"),
    ({"startTime": "9999-12-31T23:59:59-01:00"}, "startTime"),  # beyond the calendar in UTC
    ({"startTime": "2026-03-02T08:59:00Z"}, "startTime"),  # past
    ({"startTime": "2026-06-01T09:00:00Z"}, "startTime"),  # more than 90 days ahead
    ({"endTime": "2026-03-03T10:00:00Z"}, "startTime"),  # an end alone
    ({"startTime": "2026-03-03T10:00:00Z", "endTime": "2026-03-03T10:00:00Z"}, "endTime"),
    ({"startTime": "2026-03-03T10:00:00Z", "endTime": "2026-03-03T09:00:00Z"}, "endTime"),
    ({"startTime": "2026-03-03T10:00:00Z", "endTime": "2026-03-03T14:00:01Z"}, "endTime"),
    ({"startTime": "2026-03-03T10:00:00Z", "endTime": ["x"]}, "endTime"),
    ({"guests": "anna@example.test"}, "guests"),
    ({"guests": [{"name": "Anna"}]}, "guests"),
    ({"guests": ["anna@example.test"]}, "guests"),
    ({"guests": [{"email": "not an address"}]}, "guests"),
    ({"guests": [{"email": "a@example.test", "name": 7}]}, "guests"),
    ({"guests": [{"email": f"g{n}@example.test"} for n in range(21)]}, "guests"),
    ({"language": "sv"}, "language"),
    ({"language": ["da"]}, "language"),
]


@pytest.mark.parametrize(("fields", "code"), TIME_ERRORS)
def test_bad_times_guests_and_languages_are_422(api, tenants, manager, fields, code):
    # Counted, not dated: the tenants world was built before this test's clock was set.
    meetings = Conference.objects.count()
    response = create(api, tenants, manager, **fields)
    assert error_of(response) == (422, code)
    assert Conference.objects.count() == meetings


def test_overlapping_bookings_are_409_and_adjacent_ones_accepted(api, tenants, manager):
    device = free_device(tenants.customers["A1"])
    first = create(api, tenants, manager, device=device, startTime="2026-03-03T09:00:00Z",
                   endTime="2026-03-03T10:00:00Z")
    assert first.status_code == 200
    overlapping = create(api, tenants, manager, device=device,
                         startTime="2026-03-03T09:30:00Z", endTime="2026-03-03T10:30:00Z")
    assert error_of(overlapping) == (409, "device")
    assert overlapping.json()["error"]["message"] == "Device is already booked at that time"
    adjacent = create(api, tenants, manager, device=device, startTime="2026-03-03T10:00:00Z")
    assert adjacent.status_code == 200


def test_guests_come_with_the_meeting_object(api, tenants, manager):
    body = create(api, tenants, manager, startTime="2026-03-03T09:00:00Z", guests=[
        {"email": "anna@example.test", "name": "Anna"}, {"email": "bo@example.test"}]).json()
    assert [(g["email"], g["name"], g["status"], g["sentAt"]) for g in body["guests"]] == [
        ("anna@example.test", "Anna", "PENDING", None), ("bo@example.test", "", "PENDING", None)]
    assert set(body["guests"][0]) == {"_id", "email", "name", "status", "reason", "sentAt"}


def test_the_language_is_the_creators_unless_given(api, tenants, manager):
    assert create(api, tenants, manager).json()["language"] == "en"
    a1 = tenants.customers["A1"]
    danish = api.post(MEETING, {"customer": a1.pk, "devices": [free_device(a1).pk]},
                      HTTP_ACCEPT_LANGUAGE="da,en;q=0.5", **manager)
    assert danish.json()["language"] == "da"
    assert create(api, tenants, manager, language="da").json()["language"] == "da"


def test_a_form_body_books_ahead_with_guests(client, tenants):
    a1 = tenants.customers["A1"]
    body = (f"customer={a1.pk}&devices[]={free_device(a1).pk}&startTime=2026-03-03T09:00:00Z"
            "&guests[0][email]=anna@example.test&guests[0][name]=Anna")
    response = client.post(MEETING, body, content_type="application/x-www-form-urlencoded",
                           **bearer(tenants.user_tokens["MANAGER@A1"]))
    assert response.status_code == 200, response.content
    assert [g["email"] for g in response.json()["guests"]] == ["anna@example.test"]


def test_the_tablet_does_not_see_a_booked_meeting_early_nor_its_new_keys(
        api, tenants, manager, settings):
    from conferences.lifecycle import meeting_mark_provisioned
    from conferences.providers import fake_booking
    from devices.services import device_token_issue

    device = free_device(tenants.customers["A1"])
    token = device_token_issue(device=device)
    body = create(api, tenants, manager, device=device, startTime="2026-03-03T09:00:00Z",
                  guests=[{"email": "anna@example.test"}]).json()
    meeting = Conference.objects.get(pk=body["_id"])
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(f"fake-{meeting.pk}"))
    assert error_of(api.post(GETMEETING, {"token": token})) == (404, "meeting")
    shown = datetime(2026, 3, 3, 9, tzinfo=UTC) - timedelta(
        seconds=settings.MEETING_TABLET_LEAD_SECONDS)
    with time_machine.travel(shown, tick=False):
        document = api.post(GETMEETING, {"token": token}).json()
    assert_shape(document, TABLET_KEYS)
    assert document["_id"] == meeting.pk


def test_getmeeting_picks_the_meeting_under_way_among_a_tablets_bookings(
        api, tenants, manager, settings):
    """A tablet may hold several open meetings (booked one after the other): getmeeting shows
    none before the first one's lead, then the one that starts first, not the next."""
    from conferences.lifecycle import meeting_mark_provisioned
    from conferences.providers import fake_booking
    from devices.services import device_token_issue

    device = free_device(tenants.customers["A1"])
    token = device_token_issue(device=device)
    ids = [create(api, tenants, manager, device=device, startTime=start).json()["_id"]
           for start in ("2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z")]
    for meeting in Conference.objects.filter(pk__in=ids):
        meeting_mark_provisioned(meeting=meeting, booking=fake_booking(f"fake-{meeting.pk}"))
    lead = timedelta(seconds=settings.MEETING_TABLET_LEAD_SECONDS)
    nine = datetime(2026, 3, 3, 9, tzinfo=UTC)
    with time_machine.travel(nine - lead - timedelta(seconds=1), tick=False):
        assert error_of(api.post(GETMEETING, {"token": token})) == (404, "meeting")
    with time_machine.travel(nine + timedelta(minutes=59), tick=False):  # the next one's lead
        assert api.post(GETMEETING, {"token": token}).json()["_id"] == ids[0]


# --- PATCH: move a meeting ---------------------------------------------------------------------


def meeting_path(body: dict) -> str:
    return f"{MEETING}/{body['_id']}"


def test_a_meeting_is_moved_by_patch(api, tenants, manager):
    body = create(api, tenants, manager, startTime="2026-03-03T09:00:00Z").json()
    moved = api.patch(meeting_path(body), {"startTime": "2026-03-03T13:00:00+01:00"}, **manager)
    assert moved.status_code == 200, moved.content
    assert (moved.json()["startTime"], moved.json()["endTime"]) == (
        "2026-03-03T12:00:00.000Z", "2026-03-03T13:00:00.000Z")  # its length kept
    longer = api.patch(meeting_path(body), {"endTime": "2026-03-03T13:30:00Z"}, **manager)
    assert longer.json()["endTime"] == "2026-03-03T13:30:00.000Z"


PATCH_ERRORS = [
    ({}, (422, "startTime")),
    ({"startTime": "2026-03-03T10:00:00"}, (422, "startTime")),
    ({"startTime": "2026-03-02T08:00:00Z"}, (422, "startTime")),
    ({"endTime": "2026-03-03T08:00:00Z"}, (422, "endTime")),
    ({"endTime": "2026-03-04T08:00:00Z"}, (422, "endTime")),
]


@pytest.mark.parametrize(("fields", "expected"), PATCH_ERRORS)
def test_patch_errors(api, tenants, manager, fields, expected):
    body = create(api, tenants, manager, startTime="2026-03-03T09:00:00Z").json()
    assert error_of(api.patch(meeting_path(body), fields, **manager)) == expected
    assert Conference.objects.get(pk=body["_id"]).start_time == datetime(2026, 3, 3, 9,
                                                                       tzinfo=UTC)


def test_a_meeting_that_has_begun_or_closed_cannot_be_moved(api, tenants, manager):
    now = create(api, tenants, manager).json()
    refused = api.patch(meeting_path(now), {"startTime": "2026-03-03T09:00:00Z"}, **manager)
    assert error_of(refused) == (409, "meeting")
    ahead = create(api, tenants, manager, startTime="2026-03-03T09:00:00Z").json()
    meeting_end(meeting=Conference.objects.get(pk=ahead["_id"]), ended_by=None)
    refused = api.patch(meeting_path(ahead), {"startTime": "2026-03-03T10:00:00Z"}, **manager)
    assert error_of(refused) == (409, "meeting")


def test_a_move_onto_another_booking_is_409_device(api, tenants, manager):
    device = free_device(tenants.customers["A1"])
    first = create(api, tenants, manager, device=device, startTime="2026-03-03T09:00:00Z").json()
    create(api, tenants, manager, device=device, startTime="2026-03-03T11:00:00Z")
    refused = api.patch(meeting_path(first), {"startTime": "2026-03-03T10:30:00Z"}, **manager)
    assert error_of(refused) == (409, "device")


def test_patch_of_an_unknown_or_foreign_meeting_is_404(api, tenants, manager):
    foreign = Conference.objects.get(customer__name="B1")
    assert error_of(api.patch(f"{MEETING}/{foreign.pk}", {"startTime": "2026-03-03T09:00:00Z"},
                              **manager)) == (404, "meeting")
    assert error_of(api.patch(f"{MEETING}/nope", {}, **manager)) == (404, "id")


# --- POST …/guests -----------------------------------------------------------------------------


def guests_path(body: dict) -> str:
    return f"{MEETING}/{body['_id']}/guests"


def test_guests_are_added_once_each(api, tenants, manager):
    body = create(api, tenants, manager, startTime="2026-03-03T09:00:00Z",
                  guests=[{"email": "anna@example.test"}]).json()
    added = api.post(guests_path(body), {"guests": [
        {"email": "Anna@Example.test"}, {"email": "bo@example.test", "name": "Bo"}]}, **manager)
    assert added.status_code == 200, added.content
    assert [g["email"] for g in added.json()["guests"]] == ["anna@example.test",
                                                            "bo@example.test"]


@pytest.mark.parametrize("guests", [
    None, "anna@example.test", {"email": "anna@example.test"}, [], [{"email": "nope"}],
    [{"email": f"g{n}@example.test"} for n in range(20)],  # 21 with the one already invited
])
def test_bad_guests_are_422(api, tenants, manager, guests):
    body = create(api, tenants, manager, startTime="2026-03-03T09:00:00Z",
                  guests=[{"email": "anna@example.test"}]).json()
    response = api.post(guests_path(body), {} if guests is None else {"guests": guests},
                        **manager)
    if guests == []:
        assert response.status_code == 200  # nothing to add
    else:
        assert error_of(response) == (422, "guests")
    assert Guest.objects.filter(conference_id=body["_id"]).count() == 1


def test_guests_cannot_be_added_to_a_closed_meeting(api, tenants, manager):
    body = create(api, tenants, manager, startTime="2026-03-03T09:00:00Z").json()
    meeting_end(meeting=Conference.objects.get(pk=body["_id"]), ended_by=None)
    response = api.post(guests_path(body), {"guests": [{"email": "anna@example.test"}]},
                        **manager)
    assert error_of(response) == (409, "meeting")


def test_sent_guests_show_when(api, tenants, manager):
    body = create(api, tenants, manager, startTime="2026-03-03T09:00:00Z",
                  guests=[{"email": "anna@example.test"}]).json()
    Guest.objects.filter(conference_id=body["_id"]).update(status="SENT", sent_at=timezone.now())
    listed = api.get("/flexcare/videochat/meetings", **manager).json()
    (guest,) = next(m for m in listed["meetings"] if m["_id"] == body["_id"])["guests"]
    assert (guest["status"], guest["sentAt"]) == ("SENT", "2026-03-02T09:00:00.000Z")
