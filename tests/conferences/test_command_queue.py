"""command_queue: type-specific validation, meeting state, device membership, queue limit."""

from __future__ import annotations

import pytest

from conferences.lifecycle import meeting_mark_provisioned
from conferences.models import Command, CommandStatus, CommandType, Conference, MeetingState
from conferences.providers import fake_booking
from conferences.services import command_queue
from flexcare.errors import Conflict, Invalid, NotFound, ServiceError
from tests.factories import DeviceFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    return MeetingFactory.create()


@pytest.fixture
def device(meeting):
    return meeting.participants.get().device


def provision(meeting: Conference) -> None:
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        ({"type": "CAMERA_ON", "value": False}, (False, None, None)),
        ({"type": "MICROPHONE_ON", "value": True, "volume": 5}, (True, None, None)),
        ({"type": "SET_VOLUME", "volume": 0}, (None, 0, None)),
        ({"type": "SET_VOLUME", "volume": 100, "quality": "LOW"}, (None, 100, None)),
        ({"type": "SET_QUALITY", "quality": "VERY_HIGH"}, (None, None, "VERY_HIGH")),
        ({"type": "HANGUP", "value": True}, (None, None, None)),
    ],
)
def test_valid_commands_keep_only_their_types_fields(meeting, device, fields, stored):
    command = command_queue(meeting=meeting, device=device, **fields)
    assert (command.value, command.volume, command.quality) == stored
    assert command.status == CommandStatus.QUEUED


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"type": "REBOOT"}, "command.type"),
        ({"type": None}, "command.type"),
        ({"type": "CAMERA_ON"}, "command.value"),
        ({"type": "CAMERA_ON", "value": "true"}, "command.value"),
        ({"type": "MICROPHONE_ON", "value": 1}, "command.value"),
        ({"type": "SET_VOLUME"}, "command.volume"),
        ({"type": "SET_VOLUME", "volume": "50"}, "command.volume"),
        ({"type": "SET_VOLUME", "volume": 50.5}, "command.volume"),
        ({"type": "SET_VOLUME", "volume": True}, "command.volume"),
        ({"type": "SET_VOLUME", "volume": -1}, "command.volume"),
        ({"type": "SET_VOLUME", "volume": 101}, "command.volume"),
        ({"type": "SET_QUALITY"}, "command.quality"),
        ({"type": "SET_QUALITY", "quality": "low"}, "command.quality"),
    ],
)
def test_invalid_commands_are_refused_with_the_fields_path(meeting, device, fields, code):
    with pytest.raises(Invalid) as refused:
        command_queue(meeting=meeting, device=device, **fields)
    assert (refused.value.code, refused.value.status) == (code, 422)
    assert not Command.objects.exists()


def test_a_device_not_in_the_meeting_is_not_found(meeting):
    stranger = DeviceFactory.create(customer=meeting.customer)
    with pytest.raises(NotFound) as refused:
        command_queue(meeting=meeting, device=stranger, type="HANGUP")
    assert refused.value.message == "Device not found in meeting"


def test_start_meeting_needs_a_ready_meeting(meeting, device):
    with pytest.raises(Conflict):
        command_queue(meeting=meeting, device=device, type="START_MEETING")
    provision(meeting)
    command_queue(meeting=meeting, device=device, type="START_MEETING")


def test_nothing_is_queued_on_a_closed_meeting(meeting, device):
    from django.utils import timezone

    Conference.objects.filter(pk=meeting.pk).update(
        state=MeetingState.CLOSED, closed_at=timezone.now()
    )
    with pytest.raises(Conflict) as refused:
        command_queue(meeting=meeting, device=device, type="SET_VOLUME", volume=5)
    assert refused.value.code == "meeting"


def test_the_queue_is_limited_per_device(meeting, device, settings):
    settings.COMMAND_QUEUE_LIMIT = 3
    for _ in range(3):
        command_queue(meeting=meeting, device=device, type="HANGUP")
    with pytest.raises(ServiceError) as refused:
        command_queue(meeting=meeting, device=device, type="HANGUP")
    assert (refused.value.code, refused.value.status) == ("device", 429)
    first = Command.objects.first()
    assert first is not None
    Command.objects.filter(pk=first.pk).update(status=CommandStatus.CANCELED)
    command_queue(meeting=meeting, device=device, type="HANGUP")


def test_provisioning_queues_one_start_per_device_once():
    customer_meeting = MeetingFactory.create()
    extra = DeviceFactory.create(customer=customer_meeting.customer)
    meeting = MeetingFactory.create(customer=customer_meeting.customer, devices=[extra])
    booking = fake_booking(meeting.pk)
    assert meeting_mark_provisioned(meeting=meeting, booking=booking)
    assert not meeting_mark_provisioned(meeting=meeting, booking=booking)
    starts = Command.objects.filter(type=CommandType.START_MEETING,
                                    conference_device__conference=meeting)
    assert starts.count() == 1
    meeting.refresh_from_db()
    assert meeting.is_ready
    assert meeting.uri == booking.uri
