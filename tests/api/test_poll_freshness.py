"""The tablets' polls are answered from a version of the meeting and a cached rendering
(conferences.polling, .documents): after a change commits, the very next poll sees it with a
new ETag, and a revoked or reset token is refused at once — also while other polls run."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.tablet_settings import TabletSettings
from conferences import sweeps
from conferences.lifecycle import (
    EndOutcome,
    meeting_end,
    meeting_mark_provisioned,
    meeting_mark_started,
)
from conferences.models import Command, CommandStatus, Conference, MeetingState, Provisioning
from conferences.providers import fake_booking
from conferences.schedule import meeting_reschedule
from conferences.selectors import tablet_meeting
from conferences.services import meeting_create
from conferences.wire import meeting_wire
from devices.models import Device
from devices.services import (
    device_token_issue,
    device_token_reset,
    device_token_revoke,
    device_update,
    device_update_settings,
)
from tests.api.conftest import error_of, ready_meeting
from tests.factories import DeviceFactory, queue

if TYPE_CHECKING:  # the test client's response type exists only in django-stubs
    from django.test.client import _MonkeyPatchedWSGIResponse

GETMEETING = "/iptv/flexcareconference/meeting/device"
HOUR = timedelta(hours=1)


def commands_url(meeting_id: str) -> str:
    return f"/iptv/flexcareconference/meeting/{meeting_id}/commands"


def ack_url(meeting_id: str, command_id: str) -> str:
    return f"{commands_url(meeting_id)}/{command_id}/executed"


def post(client: Client, path: str, token: str, **extra: Any):
    return client.post(path, {"token": token}, content_type="application/json", **extra)


def document_now(meeting_id: str) -> dict:
    """The meeting's document as the database holds it now, rendered without any cache."""
    found = tablet_meeting(meeting_id)
    assert found is not None
    return json.loads(json.dumps(meeting_wire(*found)))


@contextmanager
def busy_pollers(token: str, count: int = 4,
                 since: threading.Event | None = None) -> Iterator[list[tuple[bool, int]]]:
    """`count` tablets' worth of getmeeting polls running meanwhile, each sending back the
    ETag it was last given, so that versions are read and documents rendered and cached
    while the test's changes commit. Yields the statuses they saw, each with whether its
    poll began after `since` was set."""
    stop = threading.Event()
    statuses: list[tuple[bool, int]] = []

    def poll() -> None:
        client, etag = Client(), ""
        try:
            while not stop.is_set():
                began_after = since is not None and since.is_set()
                response = post(client, GETMEETING, token, HTTP_IF_NONE_MATCH=etag)
                statuses.append((began_after, response.status_code))
                etag = response.get("ETag", etag)
        finally:
            connection.close()

    threads = [threading.Thread(target=poll) for _ in range(count)]
    for thread in threads:
        thread.start()
    try:
        yield statuses
    finally:
        stop.set()
        for thread in threads:
            thread.join()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_next_poll_after_each_change_sees_it_with_a_new_etag():
    devices = [DeviceFactory.create()]
    devices.append(DeviceFactory.create(customer=devices[0].customer))
    token = device_token_issue(device=devices[0])
    meeting = ready_meeting(devices)
    client = Client()
    first = post(client, GETMEETING, token)
    etags = {first["ETag"]}
    start = Command.objects.get(conference_device__device=devices[0])

    def ack(command_id: str, **body: object) -> None:
        response = client.post(ack_url(meeting.pk, command_id), {"token": token, **body},
                               content_type="application/json")
        assert response.status_code == 200, response.content

    changes: list[tuple[str, Callable[[], object]]] = [
        ("command queued", lambda: queue(meeting, devices[1], "HANGUP")),
        ("command claimed", lambda: post(client, commands_url(meeting.pk), token)),
        ("command acknowledged", lambda: ack(start.pk)),
        ("command failed", lambda: ack(queue(meeting, devices[0], "HANGUP").pk,
                                       success=False, error="no")),
        ("tablet renamed", lambda: device_update(device=devices[1], name="Room 12")),
        ("other tablet's number changed", lambda: device_update(
            device=devices[1], technical_room_number="R-7")),
        ("meeting ending", lambda: meeting_end(meeting=meeting, ended_by=None)),
    ]
    with busy_pollers(token) as statuses:
        for name, change in changes:
            before = post(client, GETMEETING, token)["ETag"]
            change()
            response = post(client, GETMEETING, token, HTTP_IF_NONE_MATCH=before)
            assert response.status_code == 200, name
            assert response["ETag"] not in etags, name
            etags.add(response["ETag"])
            assert response.json() == document_now(meeting.pk), name
            again = post(client, GETMEETING, token, HTTP_IF_NONE_MATCH=response["ETag"])
            assert again.status_code == 304, name
    assert statuses
    assert {status for _, status in statuses} <= {200, 304}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_each_see_their_change_in_the_next_poll(settings):
    settings.COMMAND_QUEUE_LIMIT = 100
    devices = [DeviceFactory.create()]
    devices += [DeviceFactory.create(customer=devices[0].customer) for _ in range(3)]
    tokens = [device_token_issue(device=device) for device in devices]
    meeting = ready_meeting(devices)
    barrier = threading.Barrier(len(devices))
    failures: list[str] = []

    def write_then_poll(device, token: str) -> None:
        client = Client()
        try:
            barrier.wait()
            for volume in range(15):
                before = post(client, GETMEETING, token)["ETag"]
                command = queue(meeting, device, "SET_VOLUME", volume=volume)
                response = post(client, GETMEETING, token, HTTP_IF_NONE_MATCH=before)
                seen = [c["_id"] for d in response.json()["devices"] for c in d["commands"]] \
                    if response.status_code == 200 else []
                if response.status_code != 200 or command.pk not in seen:
                    failures.append(f"{device.name} #{volume}: {response.status_code}")
        finally:
            connection.close()

    with busy_pollers(tokens[0]):
        threads = [threading.Thread(target=write_then_poll, args=pair)
                   for pair in zip(devices, tokens, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []  # asserted here: a failed assert in a thread is lost
    response = post(Client(), GETMEETING, tokens[0])
    assert response.json() == document_now(meeting.pk)
    assert sum(len(d["commands"]) for d in response.json()["devices"]) == 4 + 4 * 15


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["revoked", "reset"])
def test_a_revoked_or_reset_token_is_refused_at_the_very_next_poll(how):
    device = DeviceFactory.create()
    token = device_token_issue(device=device)
    meeting = ready_meeting([device])
    command = Command.objects.get(conference_device__device=device)
    client = Client()
    assert post(client, GETMEETING, token).status_code == 200
    done = threading.Event()
    with busy_pollers(token, since=done) as statuses:
        while len(statuses) < 8:  # the pollers are under way: rows and renderings are warm
            threading.Event().wait(0.01)
        if how == "revoked":
            assert device_token_revoke(token=token)
        else:
            device_token_reset(device=device)
        done.set()
        for path in (GETMEETING, commands_url(meeting.pk), ack_url(meeting.pk, command.pk)):
            assert error_of(post(client, path, token)) == (403, "token"), path
        while sum(after for after, _ in statuses) < 8:
            threading.Event().wait(0.01)
    # A poll that began before the revocation committed may have been answered; none after.
    assert {status for after, status in statuses if after} == {403}
    assert {status for after, status in statuses if not after} <= {200, 304, 403}
    assert Command.objects.get(pk=command.pk).status == CommandStatus.QUEUED


def test_a_settings_change_which_the_document_does_not_show_keeps_the_etag(api, tablet):
    # The document carries the settings snapshot taken when the tablet joined.
    etag = api.post(GETMEETING, {"token": tablet.token})["ETag"]
    device_update_settings(device=tablet.device, tablet_settings=TabletSettings(volume=3))
    response = api.post(GETMEETING, {"token": tablet.token}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_a_meeting_started_is_seen_with_a_new_etag(api, tablet):
    etag = api.post(GETMEETING, {"token": tablet.token})["ETag"]
    assert meeting_mark_started(meeting_id=tablet.meeting.pk)
    response = api.post(GETMEETING, {"token": tablet.token}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["state"] == "STARTED"


@pytest.mark.parametrize("state", list(MeetingState))
@pytest.mark.parametrize("provisioning", list(Provisioning))
def test_the_poll_finds_exactly_the_meetings_ready_says(api, tablet, state, provisioning):
    # The poll's SQL writes out ConferenceQuerySet.ready(): the two must agree.
    now = timezone.now()
    Conference.objects.filter(pk=tablet.meeting.pk).update(
        state=state, provisioning=provisioning, started_at=now, closed_at=now)
    ready = Conference.objects.ready().filter(pk=tablet.meeting.pk).exists()
    response = api.post(GETMEETING, {"token": tablet.token})
    assert response.status_code == (200 if ready else 404)


# --- Meetings booked ahead: shown from their lead time, with no write ------------------------


def poll_at(moment: datetime, token: str, etag: str = "") -> _MonkeyPatchedWSGIResponse:
    with time_machine.travel(moment, tick=False):
        return post(Client(), GETMEETING, token, HTTP_IF_NONE_MATCH=etag)


def book(device: Device, start: datetime) -> Conference:
    meeting = meeting_create(customer=device.customer, devices=[device], employee=None,
                             start=start, end=start + HOUR)
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(f"fake-{meeting.pk}"))
    return meeting


@dataclass
class Ahead:
    """A tablet with its token, a start a day from now, and the tablets' lead before it."""

    device: Device
    token: str
    start: datetime
    lead: timedelta

    def book(self, start: datetime) -> Conference:
        """A meeting booked today (a day before `self.start`) for `start`."""
        with time_machine.travel(self.start - timedelta(days=1), tick=False):
            return book(self.device, start)


@pytest.fixture
def ahead(db: None, settings: Any) -> Ahead:
    device = DeviceFactory.create()
    return Ahead(device, device_token_issue(device=device),
                 start=timezone.now().replace(microsecond=0) + timedelta(days=1),
                 lead=timedelta(seconds=settings.MEETING_TABLET_LEAD_SECONDS))


def test_a_booked_meeting_appears_at_its_lead_time_and_the_poll_picks_the_right_one(
        ahead, settings):
    token, start, lead = ahead.token, ahead.start, ahead.lead
    first = ahead.book(start)
    later = ahead.book(start + HOUR)  # the newer booking: it must not win for that
    assert poll_at(start - lead - timedelta(seconds=1), token).status_code == 404
    shown = poll_at(start - lead, token)  # time alone: nothing was written meanwhile
    assert shown.status_code == 200
    assert shown.json()["_id"] == first.pk
    assert first.pk in shown["ETag"]
    # In the next one's lead, while the first is under way: still the first, unchanged.
    assert poll_at(start + HOUR - lead, token, shown["ETag"]).status_code == 304

    with time_machine.travel(start, tick=False):
        assert sweeps.start_due_meetings() == 1  # the beat queues START_MEETING
    started = poll_at(start, token, shown["ETag"])
    assert started.status_code == 200
    assert [c["type"] for c in started.json()["devices"][0]["commands"]] == ["START_MEETING"]

    with time_machine.travel(start + HOUR, tick=False):
        meeting_end(meeting=first, ended_by=None)
    moment = start + HOUR + timedelta(seconds=settings.MEETING_CLOSE_GRACE_SECONDS)
    with time_machine.travel(moment, tick=False):
        sweeps.finish_due_closings()
    after = poll_at(moment, token, started["ETag"])
    assert after.status_code == 200
    assert after.json()["_id"] == later.pk
    assert after["ETag"] not in (shown["ETag"], started["ETag"])


def test_a_booked_meeting_moved_or_cancelled_is_seen_by_the_next_poll(ahead):
    token, start = ahead.token, ahead.start
    shown_at = start - ahead.lead
    meeting = ahead.book(start)
    etag = poll_at(shown_at, token)["ETag"]
    with time_machine.travel(shown_at, tick=False):
        meeting_reschedule(meeting=meeting, start=start + HOUR, end=None, actor=None)
    assert poll_at(shown_at, token, etag).status_code == 404  # moved out of the lead
    with time_machine.travel(shown_at, tick=False):
        meeting_reschedule(meeting=meeting, start=start, end=None, actor=None)
    back = poll_at(shown_at, token, etag)
    assert back.status_code == 200  # the same meeting, a new version
    assert back["ETag"] != etag
    with time_machine.travel(shown_at, tick=False):
        assert meeting_end(meeting=meeting, ended_by=None).outcome == EndOutcome.CANCELLED
    assert poll_at(shown_at, token, back["ETag"]).status_code == 404


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_the_poll_shows_exactly_the_meetings_visible_to_tablets_says(api, tablet, offset,
                                                                     settings):
    # The poll's SQL writes out ConferenceQuerySet.visible_to_tablets() too.
    now = timezone.now()
    lead = timedelta(seconds=settings.MEETING_TABLET_LEAD_SECONDS)
    Conference.objects.filter(pk=tablet.meeting.pk).update(
        start_time=now + lead + timedelta(seconds=offset), end_time=now + 2 * HOUR)
    with time_machine.travel(now, tick=False):
        visible = Conference.objects.visible_to_tablets(now).filter(
            pk=tablet.meeting.pk).exists()
        response = api.post(GETMEETING, {"token": tablet.token})
    assert visible == (offset <= 0)
    assert response.status_code == (200 if visible else 404)
