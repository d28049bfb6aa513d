"""The tablet simulator, driven against a live server over real HTTP."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from conferences.lifecycle import meeting_close
from conferences.models import UNFINISHED_STATUSES, Command, CommandStatus, Conference, MeetingState
from devices.services import device_token_issue
from devtools.simulator import TabletSimulator
from tests.api.conftest import ready_meeting
from tests.factories import DeviceFactory, queue


@pytest.mark.django_db(transaction=True)
def test_login_getmeeting_getcommands_ack_end_to_end(live_server):
    device = DeviceFactory.create(serial="FLXCA1799999")
    meeting = ready_meeting([device])
    queue(meeting, device, "SET_VOLUME", volume=30)
    queue(meeting, device, "CAMERA_ON", value=False)
    out = StringIO()
    call_command("simulate_tablet", "--url", live_server.url, "--serial", "FLXCA1799999",
                 "--rounds", "2", "--interval", "0", "--fail", "CAMERA_ON", stdout=out)
    log = out.getvalue()
    assert f"meeting {meeting.pk} ready" in log
    assert "executing SET_VOLUME {'volume': 30}" in log
    assert "failing CAMERA_ON" in log
    statuses = dict(Command.objects.values_list("type", "status"))
    assert statuses == {"START_MEETING": CommandStatus.EXECUTED,
                        "SET_VOLUME": CommandStatus.EXECUTED, "CAMERA_ON": CommandStatus.FAILED}
    # What getmeeting now shows the tablet and its peers.
    from devices.selectors import device_for_token
    from devtools.simulator import TabletSimulator

    token = log.split("token: ")[1].split()[0]
    assert device_for_token(token) == device
    shown = TabletSimulator(live_server.url, say=lambda _: None, token=token).poll_once()
    assert shown is not None  # a meeting to show
    executed = {c["type"]: c["executed"] for c in shown["devices"][0]["commands"]}
    assert executed == {"START_MEETING": True, "SET_VOLUME": True, "CAMERA_ON": False}


@pytest.mark.django_db(transaction=True)
def test_a_locked_tablet_is_told_what_to_do(live_server):
    device = DeviceFactory.create(serial="FLXCA1788888")
    call_command("simulate_tablet", "--url", live_server.url, "--serial", device.serial,
                 "--rounds", "1", "--interval", "0", stdout=StringIO())
    with pytest.raises(CommandError, match="reset the tablet's token"):
        call_command("simulate_tablet", "--url", live_server.url, "--serial", device.serial,
                     "--rounds", "1", stdout=StringIO())



@pytest.mark.django_db(transaction=True)
def test_it_says_once_that_there_is_no_meeting(live_server):
    DeviceFactory.create(serial="FLXCA1777777")
    out = StringIO()
    call_command("simulate_tablet", "--url", live_server.url, "--serial", "FLXCA1777777",
                 "--rounds", "3", "--interval", "0.01", stdout=out)
    assert out.getvalue().count("no meeting for this tablet yet; polling every 0.01 s") == 1


@pytest.mark.django_db(transaction=True)
def test_it_says_it_again_when_the_meeting_appears_and_disappears(live_server):
    device = DeviceFactory.create()
    lines: list[str] = []
    tablet = TabletSimulator(live_server.url, say=lines.append,
                             token=device_token_issue(device=device))
    tablet.run(interval=0.01, rounds=2)
    assert lines == ["no meeting for this tablet yet; polling every 0.01 s"]
    meeting = ready_meeting([device])
    tablet.run(interval=0.01, rounds=2)
    assert lines[1].startswith(f"meeting {meeting.pk} ready")
    assert not any("no meeting" in line for line in lines[1:])
    meeting_close(meeting_id=meeting.pk)
    del lines[:]
    tablet.run(interval=0.01, rounds=3)
    assert lines == [f"meeting {meeting.pk} is over",
                     "no meeting for this tablet yet; polling every 0.01 s"]


@pytest.mark.django_db(transaction=True)
def test_a_seeded_tablet_executes_every_command_the_seed_queued_for_it(
    live_server, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    settings.DEBUG = True  # as in `make run`: the demo keeps its tokens
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    data = json.loads(out.getvalue())
    tokens = {d["_id"]: d["token"] for d in data["devices"]}
    tablets = []
    for row in data["meetings"]:
        (device_id,) = row["devices"]
        pending = set(Command.objects.filter(
            conference_device__conference_id=row["_id"], status__in=UNFINISHED_STATUSES,
        ).values_list("pk", flat=True))
        assert Command.objects.filter(pk__in=pending, status=CommandStatus.FETCHED).exists()
        tablet = TabletSimulator(live_server.url, say=lambda _: None, token=tokens[device_id])
        tablets.append((row["_id"], pending, tablet))
        tablet.poll_once()  # gets what is queued; the fetched ones are still claimed

    # Running seed_demo again (every `make run` does) must not log the tablets out.
    call_command("seed_demo", stdout=StringIO())
    later = timezone.now() + timedelta(seconds=settings.COMMAND_CLAIM_SECONDS + 1)
    with time_machine.travel(later):
        for meeting_id, pending, tablet in tablets:
            tablet.poll_once()  # the expired claims come back, as for a real tablet
            assert {command["_id"] for command in tablet.executed} == pending
            statuses = set(Command.objects.filter(pk__in=pending)
                           .values_list("status", flat=True))
            assert statuses == {CommandStatus.EXECUTED}
            assert Conference.objects.get(pk=meeting_id).state == MeetingState.STARTED


def cut_first(kind: str):
    """A transport whose first request to a path ending in `kind` gets no answer."""
    from devtools.httpjson import request_json

    cut: list[str] = []

    def send(method, url, body, headers):
        if url.endswith(kind) and not cut:
            cut.append(url)
            raise ConnectionResetError("cut off")
        return request_json(method, url, body, headers)

    return send, cut


@pytest.mark.django_db(transaction=True)
def test_an_acknowledgement_without_an_answer_is_sent_again_before_the_next_poll(live_server):
    device = DeviceFactory.create()
    meeting = ready_meeting([device])
    transport, cut = cut_first("/executed")
    tablet = TabletSimulator(live_server.url, say=lambda _: None, transport=transport,
                             token=device_token_issue(device=device))
    with pytest.raises(ConnectionResetError):
        tablet.poll_once()
    start = Command.objects.get(type="START_MEETING")
    assert cut
    assert start.status == CommandStatus.FETCHED  # executed, not acknowledged yet
    tablet.poll_once()
    start.refresh_from_db()
    assert start.status == CommandStatus.EXECUTED
    assert [c["_id"] for c in tablet.executed] == [start.pk]  # owed, not run again
    assert Conference.objects.get(pk=meeting.pk).state == MeetingState.STARTED


@pytest.mark.django_db(transaction=True)
def test_a_lost_answer_brings_the_commands_back_when_their_claim_expires(live_server, settings):
    import random

    device = DeviceFactory.create()
    ready_meeting([device])
    tablet = TabletSimulator(live_server.url, say=lambda _: None, drop_answers=1.0,
                             token=device_token_issue(device=device), rng=random.Random(0))
    tablet.poll_once()
    start = Command.objects.get(type="START_MEETING")
    assert (start.status, start.delivery_count, tablet.executed) == ("FETCHED", 1, [])
    tablet.drop_answers = 0.0
    tablet.poll_once()
    assert tablet.executed == []  # still claimed by the lost answer
    later = timezone.now() + timedelta(seconds=settings.COMMAND_CLAIM_SECONDS + 1)
    with time_machine.travel(later):
        tablet.poll_once()
    start.refresh_from_db()
    assert (start.status, start.delivery_count) == ("EXECUTED", 2)
    assert [c["_id"] for c in tablet.executed] == [start.pk]
