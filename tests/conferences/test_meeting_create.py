"""meeting_create: feature gate, device ownership, settings snapshot, one open meeting each."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.models import CustomerState
from accounts.tablet_settings import TabletSettings
from conferences.models import Conference, ConferenceDevice, MeetingState, Provisioning
from conferences.services import meeting_create
from devices.services import device_update_settings
from flexcare.errors import Conflict, NotFound, ServiceError
from tests.factories import CustomerFactory, DeviceFactory

pytestmark = pytest.mark.django_db


def test_a_new_meeting_is_created_and_pending_with_a_snapshot_per_device():
    customer = CustomerFactory.create()
    devices = [DeviceFactory.create(customer=customer) for _ in range(2)]
    device_update_settings(
        device=devices[0], tablet_settings=TabletSettings(volume=80, quality="LOW")
    )
    meeting = meeting_create(customer=customer, devices=devices, employee=None)
    assert (meeting.state, meeting.provisioning) == (MeetingState.CREATED, Provisioning.PENDING)
    snapshot = meeting.participants.get(device=devices[0]).settings
    assert snapshot["volume"] == 80
    assert snapshot["quality"] == "LOW"
    assert set(snapshot) == {"medcomUri", "cameraOn", "microphoneOn", "setVolume",
                             "addParticipant", "volume", "quality"}
    # Later changes to the device do not reach the snapshot.
    device_update_settings(device=devices[0], tablet_settings=TabletSettings(volume=10))
    assert meeting.participants.get(device=devices[0]).settings["volume"] == 80


def test_devices_take_their_customers_default_settings():
    customer = CustomerFactory.create(
        default_tablet_settings=TabletSettings(volume=33, camera_on=False))
    device = DeviceFactory.create(customer=customer)
    assert (device.volume, device.camera_on) == (33, False)


def test_a_customer_without_the_feature_is_refused():
    customer = CustomerFactory.create()
    device = DeviceFactory.create(customer=customer)
    type(customer).objects.filter(pk=customer.pk).update(features=[])
    customer.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        meeting_create(customer=customer, devices=[device], employee=None)
    assert refused.value.code == "customer"
    assert refused.value.message == "Customer does not have IPTV"


def test_a_blocked_customer_is_refused():
    customer = CustomerFactory.create()
    device = DeviceFactory.create(customer=customer)
    customer.state = CustomerState.BLOCKED
    with pytest.raises(Conflict):
        meeting_create(customer=customer, devices=[device], employee=None)


def test_no_devices_is_refused():
    with pytest.raises(ServiceError) as refused:
        meeting_create(customer=CustomerFactory.create(), devices=[], employee=None)
    assert (refused.value.code, refused.value.status) == ("devices", 400)


def test_another_customers_device_is_not_found():
    customer = CustomerFactory.create()
    foreign = DeviceFactory.create()
    with pytest.raises(NotFound) as refused:
        meeting_create(customer=customer, devices=[foreign], employee=None)
    assert refused.value.code == "device"
    assert not Conference.objects.exists()


def test_a_device_in_an_open_meeting_is_refused():
    device = DeviceFactory.create()
    meeting_create(customer=device.customer, devices=[device], employee=None)
    with pytest.raises(Conflict) as refused:
        meeting_create(customer=device.customer, devices=[device], employee=None)
    assert refused.value.message == "Device is already in an active meeting"
    assert Conference.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_creates_for_one_device_give_one_meeting():
    device = DeviceFactory.create()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create() -> None:
        try:
            barrier.wait()
            meeting_create(customer=device.customer, devices=[device], employee=None)
            outcomes.append("created")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "created"]
    assert ConferenceDevice.objects.filter(device=device, active=True).count() == 1
