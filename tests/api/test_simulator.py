"""The tablet simulator, driven against a live server over real HTTP."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conferences.models import Command, CommandStatus
from tests.api.conftest import ready_meeting
from tests.factories import DeviceFactory, queue


@pytest.mark.django_db(transaction=True)
def test_login_getmeeting_getcommands_ack_end_to_end(live_server):
    device = DeviceFactory(serial="FLXCA1799999")
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
    from devices.simulator import TabletSimulator

    token = log.split("token: ")[1].split()[0]
    assert device_for_token(token) == device
    shown = TabletSimulator(live_server.url, say=lambda _: None, token=token).poll_once()
    executed = {c["type"]: c["executed"] for c in shown["devices"][0]["commands"]}
    assert executed == {"START_MEETING": True, "SET_VOLUME": True, "CAMERA_ON": False}


@pytest.mark.django_db(transaction=True)
def test_a_locked_tablet_is_told_what_to_do(live_server):
    device = DeviceFactory(serial="FLXCA1788888")
    call_command("simulate_tablet", "--url", live_server.url, "--serial", device.serial,
                 "--rounds", "1", "--interval", "0", stdout=StringIO())
    with pytest.raises(CommandError, match="reset the tablet's token"):
        call_command("simulate_tablet", "--url", live_server.url, "--serial", device.serial,
                     "--rounds", "1", stdout=StringIO())
