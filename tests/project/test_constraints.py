"""Each database constraint, violated once through the ORM (bypassing the services), is
refused by the database itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.access import AccessLevel
from accounts.models import User
from conferences.models import (
    Command,
    CommandType,
    Conference,
    ConferenceDevice,
    Guest,
    MeetingState,
)
from devices.models import Device
from tests.factories import CustomerFactory, DeviceFactory, MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db


def refused(**kwargs):
    return pytest.raises(IntegrityError, **kwargs)


@pytest.fixture
def device():
    return DeviceFactory.create()


@pytest.fixture
def participant(device):
    meeting = MeetingFactory.create(customer=device.customer, devices=[device])
    return meeting.participants.get()


def test_serial_is_unique(device):
    with refused(), transaction.atomic():
        Device.objects.create(customer=device.customer, name="x", serial=device.serial,
                              device_id="other")


def test_barcode_is_unique(device):
    with refused(), transaction.atomic():
        Device.objects.create(customer=device.customer, name="x", serial="other",
                              device_id=device.device_id)


@pytest.mark.parametrize("volume", [101, 500])
def test_device_volume_is_0_to_100(device, volume):
    with refused(), transaction.atomic():
        Device.objects.filter(pk=device.pk).update(volume=volume)


def test_device_quality_is_a_known_level(device):
    with refused(), transaction.atomic():
        Device.objects.filter(pk=device.pk).update(quality="ULTRA")


def test_email_is_unique_ignoring_case():
    user = UserFactory.create(email="nurse@example.test")
    with refused(), transaction.atomic():
        User.objects.create(email="NURSE@example.test", customer=user.customer)


def test_only_admins_may_have_no_customer():
    with refused(), transaction.atomic():
        User.objects.create(email="x@example.test", access_level=AccessLevel.OWNER)


def test_customer_cannot_be_its_own_parent():
    from accounts.models import Customer

    customer = CustomerFactory.create(is_reseller=True)
    with refused(), transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(parent_reseller=customer.pk)


def _booking(device, start, end, active=True):
    other = Conference.objects.create(customer=device.customer, start_time=start, end_time=end)
    return ConferenceDevice.objects.create(conference=other, device=device, settings={},
                                           start_time=start, end_time=end, active=active)


@pytest.mark.postgres
def test_a_devices_open_meetings_never_overlap(device, participant):
    start, end = participant.start_time, participant.end_time
    with refused(match="no_overlapping_meetings_per_device"), transaction.atomic():
        _booking(device, start + timedelta(minutes=1), end + timedelta(hours=1))
    _booking(device, end, end + timedelta(hours=1))  # adjacent: one starts as the other ends
    _booking(device, start, end, active=False)  # a closed meeting holds no time
    _booking(DeviceFactory.create(customer=device.customer), start, end)  # another tablet


def test_a_device_may_join_again_once_its_meeting_is_closed(device, participant):
    ConferenceDevice.objects.filter(pk=participant.pk).update(active=False)
    _booking(device, participant.start_time, participant.end_time)


def test_a_meeting_ends_after_it_starts(participant):
    with refused(), transaction.atomic():
        Conference.objects.filter(pk=participant.conference_id).update(end_time=F("start_time"))
    with refused(), transaction.atomic():
        ConferenceDevice.objects.filter(pk=participant.pk).update(end_time=F("start_time"))


def test_a_guest_is_invited_once_per_meeting_whatever_the_case(participant):
    Guest.objects.create(conference_id=participant.conference_id, email="anna@example.test")
    with refused(), transaction.atomic():
        Guest.objects.create(conference_id=participant.conference_id, email="Anna@Example.TEST")
    with refused(), transaction.atomic():
        Guest.objects.create(conference_id=participant.conference_id, email="bo@example.test",
                             status="LOST")


def test_closed_meeting_needs_a_close_time(participant):
    with refused(), transaction.atomic():
        Conference.objects.filter(pk=participant.conference_id).update(state=MeetingState.CLOSED)
    Conference.objects.filter(pk=participant.conference_id).update(
        state=MeetingState.CLOSED, closed_at=timezone.now()
    )


def test_started_meeting_needs_a_start_time(participant):
    with refused(), transaction.atomic():
        Conference.objects.filter(pk=participant.conference_id).update(state=MeetingState.STARTED)


@pytest.mark.parametrize(
    "fields",
    [
        {"type": CommandType.CAMERA_ON},  # value missing
        {"type": CommandType.MICROPHONE_ON, "value": True, "volume": 3},  # stray volume
        {"type": CommandType.SET_VOLUME},  # volume missing
        {"type": CommandType.SET_VOLUME, "volume": 101},
        {"type": CommandType.SET_VOLUME, "volume": 10, "value": False},  # stray value
        {"type": CommandType.SET_QUALITY},  # quality missing
        {"type": CommandType.SET_QUALITY, "quality": "ULTRA"},
        {"type": CommandType.HANGUP, "quality": "LOW"},  # stray quality
        {"type": "REBOOT"},
        {"type": CommandType.HANGUP, "status": "LOST"},
        {"type": CommandType.HANGUP, "status": "EXECUTED"},  # executed without a time
    ],
    ids=lambda f: "-".join(f"{k}={v}" for k, v in f.items()),
)
def test_command_fields_match_their_type(participant, fields):
    with refused(), transaction.atomic():
        Command.objects.create(conference_device=participant, **fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"type": CommandType.CAMERA_ON, "value": False},
        {"type": CommandType.SET_VOLUME, "volume": 0},
        {"type": CommandType.SET_VOLUME, "volume": 100},
        {"type": CommandType.SET_QUALITY, "quality": "VERY_HIGH"},
        {"type": CommandType.START_MEETING},
    ],
)
def test_well_formed_commands_are_accepted(participant, fields):
    Command.objects.create(conference_device=participant, **fields)
