"""getcommands: atomic claims, re-delivery after the claim, failure after the maximum."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from conferences.delivery import commands_expire
from conferences.models import Command, CommandStatus, Conference, MeetingState
from devices.services import device_token_issue
from tests.api.conftest import error_of, ready_meeting
from tests.factories import DeviceFactory, MeetingFactory, queue


def url(meeting_id: str) -> str:
    return f"/iptv/flexcareconference/meeting/{meeting_id}/commands"


def poll(api, tablet) -> list[dict]:
    response = api.post(url(tablet.meeting.pk), {"token": tablet.token})
    assert response.status_code == 200, response.content
    return response.json()["commands"]


def test_queued_commands_are_claimed_once_oldest_first(api, tablet):
    queue(tablet.meeting, tablet.device, "SET_VOLUME", volume=10)
    queue(tablet.meeting, tablet.device, "CAMERA_ON", value=True)
    first = poll(api, tablet)
    assert [c["type"] for c in first] == ["START_MEETING", "SET_VOLUME", "CAMERA_ON"]
    assert all(c["fetched"] and not c["executed"] for c in first)
    assert set(first[0]) == {"_id", "type", "value", "volume", "quality", "fetched", "executed"}
    assert poll(api, tablet) == []
    assert set(Command.objects.values_list("status", flat=True)) == {CommandStatus.FETCHED}


def test_an_expired_claim_is_delivered_again_with_the_count_raised(api, tablet, settings):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        (command,) = poll(api, tablet)
        clock.shift(timedelta(seconds=settings.COMMAND_CLAIM_SECONDS - 1))
        assert poll(api, tablet) == []
        clock.shift(timedelta(seconds=2))
        assert [c["_id"] for c in poll(api, tablet)] == [command["_id"]]
    assert Command.objects.get(pk=command["_id"]).delivery_count == 2


def test_after_the_maximum_deliveries_a_command_fails_and_is_not_delivered(api, tablet, settings):
    settings.COMMAND_MAX_DELIVERIES = 3
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):
            assert len(poll(api, tablet)) == 1
            clock.shift(timedelta(seconds=settings.COMMAND_CLAIM_SECONDS + 1))
        assert poll(api, tablet) == []
        assert commands_expire() == {"expired": 0, "failed": 1}
    command = Command.objects.get()
    assert command.status == CommandStatus.FAILED
    assert command.delivery_count == 3


def test_commands_older_than_their_time_to_live_expire_undelivered(api, tablet, settings):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        clock.shift(timedelta(seconds=settings.COMMAND_TTL_SECONDS + 1))
        assert poll(api, tablet) == []
        assert commands_expire()["expired"] == 1
    assert Command.objects.get().status == CommandStatus.EXPIRED


def test_each_tablet_gets_only_its_own_commands(api, db):
    devices = [DeviceFactory.create()]
    devices.append(DeviceFactory.create(customer=devices[0].customer))
    meeting = ready_meeting(devices)
    queue(meeting, devices[1], "HANGUP")
    token = device_token_issue(device=devices[0])
    body = api.post(url(meeting.pk), {"token": token}).json()
    assert [c["type"] for c in body["commands"]] == ["START_MEETING"]
    assert Command.objects.filter(status=CommandStatus.QUEUED).count() == 2


def test_errors(api, tablet):
    token = {"token": tablet.token}
    assert error_of(api.post(url("not-an-id"), token)) == (404, "id")
    assert error_of(api.post(url("0" * 24), token)) == (404, "meeting")
    assert error_of(api.post(url(tablet.meeting.pk), {})) == (403, "token")
    other_customer_meeting = MeetingFactory.create()
    assert error_of(api.post(url(other_customer_meeting.pk), token)) == (404, "meeting")
    same_customer_meeting = MeetingFactory.create(customer=tablet.device.customer)
    assert error_of(api.post(url(same_customer_meeting.pk), token)) == (404, "device")
    Conference.objects.filter(pk=tablet.meeting.pk).update(
        state=MeetingState.CLOSED, closed_at=timezone.now()
    )
    assert error_of(api.post(url(tablet.meeting.pk), token)) == (404, "meeting")
    assert error_of(api.get(url(tablet.meeting.pk))) == (405, "method_not_allowed")


@pytest.mark.parametrize(("devices", "commands"), [(1, 0), (20, 200)])
def test_a_constant_number_of_queries(api, db, django_assert_max_num_queries, devices, commands):
    tablets = [DeviceFactory.create()]
    tablets += [DeviceFactory.create(customer=tablets[0].customer) for _ in range(devices - 1)]
    token = device_token_issue(device=tablets[0])
    meeting = ready_meeting(tablets)
    for index in range(commands):
        # The caller gets 49 (its queue limit is 50 with START_MEETING); the others the rest.
        target = tablets[0] if index < 49 else tablets[1 + index % (devices - 1)]
        queue(meeting, target, "SET_VOLUME", volume=index % 100)
    with django_assert_max_num_queries(4):  # token, last seen, participation, claim
        response = api.post(url(meeting.pk), {"token": token})
    assert len(response.json()["commands"]) == (1 if commands == 0 else 50)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_polls_hand_out_every_command_exactly_once(settings):
    settings.COMMAND_QUEUE_LIMIT = 100
    device = DeviceFactory.create()
    token = device_token_issue(device=device)
    meeting = ready_meeting([device])
    for index in range(49):
        queue(meeting, device, "SET_VOLUME", volume=index)
    received: list[str] = []
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    def poller() -> None:
        client = Client()
        try:
            barrier.wait()
            for _ in range(3):
                response = client.post(url(meeting.pk), {"token": token},
                                       content_type="application/json")
                with lock:
                    statuses.append(response.status_code)
                    received.extend(c["_id"] for c in response.json()["commands"])
        finally:
            connection.close()

    threads = [threading.Thread(target=poller) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 60  # asserted here: a failed assert in a thread is lost
    counts = Counter(received)
    assert len(counts) == 50
    assert set(counts.values()) == {1}
    assert set(Command.objects.values_list("delivery_count", flat=True)) == {1}
