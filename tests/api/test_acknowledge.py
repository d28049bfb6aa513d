"""Acknowledgements: idempotent, the caller's own commands only, START_MEETING starts."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from conferences.models import Command, CommandStatus, Conference, MeetingState
from devices.services import device_token_issue
from tests.api.conftest import error_of, ready_meeting
from tests.factories import DeviceFactory, queue


def url(meeting_id: str, command_id: str) -> str:
    return f"/iptv/flexcareconference/meeting/{meeting_id}/commands/{command_id}/executed"


@pytest.fixture
def command(tablet):
    return queue(tablet.meeting, tablet.device, "SET_VOLUME", volume=20)


def ack(api, tablet, command_id, **body):
    return api.post(url(tablet.meeting.pk, command_id), {"token": tablet.token, **body})


def test_an_acknowledgement_marks_executed_and_repeating_changes_nothing(api, tablet, command):
    first = ack(api, tablet, command.pk)
    assert first.status_code == 200
    assert first.json() == {"success": True, "command": {
        "_id": command.pk, "type": "SET_VOLUME", "value": None, "volume": 20, "quality": None,
        "fetched": True, "executed": True}}
    executed_at = Command.objects.get(pk=command.pk).executed_at
    again = ack(api, tablet, command.pk)
    assert again.json() == first.json()
    assert Command.objects.get(pk=command.pk).executed_at == executed_at


def test_a_failure_is_recorded_with_its_error(api, tablet, command):
    response = ack(api, tablet, command.pk, success=False, error="Speaker unavailable")
    assert response.json()["command"]["executed"] is False
    stored = Command.objects.get(pk=command.pk)
    assert (stored.status, stored.error) == (CommandStatus.FAILED, "Speaker unavailable")
    assert ack(api, tablet, command.pk, success=False).status_code == 200
    assert error_of(ack(api, tablet, command.pk)) == (409, "command")


@pytest.mark.parametrize("status", [CommandStatus.EXPIRED, CommandStatus.CANCELED])
def test_expired_or_canceled_commands_cannot_be_acknowledged(api, tablet, command, status):
    Command.objects.filter(pk=command.pk).update(status=status)
    assert error_of(ack(api, tablet, command.pk)) == (409, "command")
    assert Command.objects.get(pk=command.pk).status == status


def test_a_canceled_command_of_a_closed_meeting_answers_409(api, tablet, command):
    Command.objects.filter(pk=command.pk).update(status=CommandStatus.CANCELED)
    Conference.objects.filter(pk=tablet.meeting.pk).update(
        state=MeetingState.CLOSED, closed_at=timezone.now()
    )
    assert error_of(ack(api, tablet, command.pk)) == (409, "command")


def test_a_tablet_cannot_acknowledge_another_tablets_command(api, db):
    devices = [DeviceFactory.create()]
    devices.append(DeviceFactory.create(customer=devices[0].customer))
    meeting = ready_meeting(devices)
    foreign = queue(meeting, devices[1], "HANGUP")
    token = device_token_issue(device=devices[0])
    response = api.post(url(meeting.pk, foreign.pk), {"token": token})
    assert error_of(response) == (404, "command")
    assert Command.objects.get(pk=foreign.pk).status == CommandStatus.QUEUED


def test_errors(api, tablet, command):
    body = {"token": tablet.token}
    assert error_of(api.post(url("bad", command.pk), body)) == (404, "id")
    assert error_of(api.post(url(tablet.meeting.pk, "bad"), body)) == (404, "id")
    assert error_of(api.post(url(tablet.meeting.pk, "f" * 24), body)) == (404, "command")
    assert error_of(api.post(url("f" * 24, command.pk), body)) == (404, "meeting")
    assert error_of(api.post(url(tablet.meeting.pk, command.pk), {})) == (403, "token")
    assert error_of(ack(api, tablet, command.pk, success="maybe")) == (422, "success")


def test_executing_start_meeting_starts_the_meeting(
    api, tablet, django_capture_on_commit_callbacks
):
    start = Command.objects.get(type="START_MEETING")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ack(api, tablet, start.pk)
    assert len(callbacks) == 1
    meeting = Conference.objects.get(pk=tablet.meeting.pk)
    assert meeting.state == MeetingState.STARTED
    assert meeting.started_at is not None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ack(api, tablet, start.pk)
    assert callbacks == []  # a repeated acknowledgement queues nothing


def test_a_failed_start_does_not_start_the_meeting(api, tablet, django_capture_on_commit_callbacks):
    start = Command.objects.get(type="START_MEETING")
    with django_capture_on_commit_callbacks(execute=True):
        ack(api, tablet, start.pk, success=False, error="no camera")
    assert Conference.objects.get(pk=tablet.meeting.pk).state == MeetingState.CREATED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_acknowledgements_change_state_once(monkeypatch):
    from conferences import lifecycle
    from flexcare.celery import app

    assert app.conf.task_always_eager, "this test runs the queued task inline"
    transitions: list[bool] = []
    real = lifecycle.meeting_mark_started

    def counted(**kwargs):
        transitions.append(real(**kwargs))
        return transitions[-1]

    monkeypatch.setattr(lifecycle, "meeting_mark_started", counted)
    devices = [DeviceFactory.create()]
    devices += [DeviceFactory.create(customer=devices[0].customer) for _ in range(3)]
    tokens = [device_token_issue(device=device) for device in devices]
    meeting = ready_meeting(devices)
    starts = {c.conference_device.device_id: c for c in Command.objects.select_related(
        "conference_device")}
    hangup = queue(meeting, devices[0], "HANGUP")
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def acknowledge(token: str, command_id: str) -> None:
        try:
            barrier.wait()
            response = Client().post(url(meeting.pk, command_id), {"token": token},
                                     content_type="application/json")
            statuses.append(response.status_code)
        finally:
            connection.close()

    jobs = [(tokens[i], starts[d.pk].pk) for i, d in enumerate(devices)]  # 4 tablets start
    jobs += [(tokens[0], hangup.pk)] * 4  # one tablet repeats an acknowledgement
    threads = [threading.Thread(target=acknowledge, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    # Eager tasks ran on each commit: the guarded transition happened exactly once.
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.STARTED
    assert len(transitions) == 4  # every START acknowledgement asked for the transition
    assert transitions.count(True) == 1  # and it happened once
    executed = Command.objects.get(pk=hangup.pk)
    assert executed.status == CommandStatus.EXECUTED
    assert Command.objects.filter(status=CommandStatus.EXECUTED).count() == 5


def test_the_started_transition_happens_once(tablet):
    from conferences.lifecycle import meeting_mark_started

    assert meeting_mark_started(meeting_id=tablet.meeting.pk)
    first = Conference.objects.get(pk=tablet.meeting.pk).started_at
    assert not meeting_mark_started(meeting_id=tablet.meeting.pk)
    assert Conference.objects.get(pk=tablet.meeting.pk).started_at == first


def test_an_acknowledgement_takes_a_constant_handful_of_queries(
        api, tablet, command, django_assert_num_queries):
    for index in range(30):  # other commands of the tablet do not add queries
        queue(tablet.meeting, tablet.device, "SET_VOLUME", volume=index)
    # the poll's statement (token, tablet, participation), the tablet's last seen, savepoint,
    # the meeting's lock and version, the command, its conditional update, release
    with django_assert_num_queries(7):
        assert ack(api, tablet, command.pk).status_code == 200
    # repeated: last seen was just written, nothing to change (the meeting's conditional
    # update matches no row) and no UPDATE of the command
    with django_assert_num_queries(5):
        assert ack(api, tablet, command.pk).status_code == 200
