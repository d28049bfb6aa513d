"""The meeting pages: create for one customer's tablets, the live detail page and its buttons."""

from __future__ import annotations

import pytest

from conferences.lifecycle import meeting_mark_provisioned
from conferences.models import Command, Conference
from conferences.providers import fake_booking
from devices.models import Device
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db


def as_user(client, tenants, key):
    client.force_login(tenants.user(key))
    return client


def ready_meeting(name: str) -> Conference:
    meeting = Conference.objects.get(customer__name=name)
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    return meeting


def test_a_manager_creates_a_meeting_for_free_tablets_of_its_customer(client, tenants):
    customer = tenants.customers["A1"]
    free = DeviceFactory(customer=customer, name="Bed free")
    busy = Device.objects.get(customer=customer, name="Bed A1")  # in the world's meeting
    manager = as_user(client, tenants, "MANAGER@A1")
    page = manager.get("/admin/conferences/conference/add/")
    html = page.content.decode()
    assert "Bed free" in html
    assert "already in a meeting" in html  # Bed A1 is offered but marked busy
    assert "Bed B1" not in html
    response = manager.post("/admin/conferences/conference/add/",
                            {"customer": customer.pk, "devices": [free.pk]})
    meeting = Conference.objects.get(participants__device=free)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/conferences/conference/{meeting.pk}/change/")
    assert meeting.employee == tenants.user("MANAGER@A1")
    refused = manager.post("/admin/conferences/conference/add/",
                           {"customer": customer.pk, "devices": [busy.pk]})
    assert "Device is already in an active meeting" in refused.content.decode()


def test_another_customers_tablet_cannot_be_smuggled_in(client, tenants):
    foreign = Device.objects.get(customer__name="B1")
    response = as_user(client, tenants, "MANAGER@A1").post(
        "/admin/conferences/conference/add/",
        {"customer": tenants.customers["A1"].pk, "devices": [foreign.pk]})
    assert response.status_code == 200
    assert not Conference.objects.filter(participants__device=foreign).count() > 1


def test_the_detail_page_runs_commands_through_the_services(client, tenants):
    meeting = ready_meeting("A1")
    device = meeting.participants.get().device
    manager = as_user(client, tenants, "MANAGER@A1")
    run = f"/admin/conferences/conference/{meeting.pk}/run/"
    detail = manager.get(f"/admin/conferences/conference/{meeting.pk}/change/")
    assert detail.status_code == 200
    assert "Start on tablets" in detail.content.decode()
    manager.post(run, {"action": "volume", "device": device.pk, "volume": "30"})
    manager.post(run, {"action": "camera", "device": device.pk, "value": "off"})
    manager.post(run, {"action": "quality", "device": device.pk, "quality": "LOW"})
    manager.post(run, {"action": "start"})
    queued = list(Command.objects.filter(conference_device__conference=meeting)
                  .order_by("created_at").values_list("type", "volume", "value", "quality"))
    assert queued[-4:] == [("SET_VOLUME", 30, None, None), ("CAMERA_ON", None, False, None),
                           ("SET_QUALITY", None, None, "LOW"), ("START_MEETING", None, None, None)]
    assert set(Command.objects.filter(created_by=tenants.user("MANAGER@A1"))
               .values_list("type", flat=True)) >= {"SET_VOLUME", "START_MEETING"}
    page = manager.post(run, {"action": "volume", "device": device.pk, "volume": "200"},
                        follow=True)
    assert "volume must be between 0 and 100" in page.content.decode().lower()
    manager.post(run, {"action": "end"})
    meeting.refresh_from_db()
    assert meeting.end_requested_at is not None


def test_the_timeline_fragment_shows_live_statuses(client, tenants):
    meeting = ready_meeting("A1")
    fragment = as_user(client, tenants, "VIEWER@A1").get(
        f"/admin/conferences/conference/{meeting.pk}/timeline/")
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert "status-QUEUED" in html
    assert "<html" not in html  # a fragment, swapped into the page


def test_a_viewer_sees_no_controls_and_cannot_run_anything(client, tenants):
    meeting = ready_meeting("A1")
    viewer = as_user(client, tenants, "VIEWER@A1")
    html = viewer.get(f"/admin/conferences/conference/{meeting.pk}/change/").content.decode()
    assert "Start on tablets" not in html
    assert 'name="action"' not in html
    before = Command.objects.count()
    response = viewer.post(f"/admin/conferences/conference/{meeting.pk}/run/",
                           {"action": "start"})
    assert response.status_code == 403
    assert Command.objects.count() == before
    assert viewer.get("/admin/conferences/conference/add/").status_code == 403


@pytest.mark.parametrize("suffix", ["change/", "timeline/", "run/"])
def test_another_customers_meeting_is_not_found(client, tenants, suffix):
    other = Conference.objects.get(customer__name="B1")
    manager = as_user(client, tenants, "MANAGER@A1")
    response = (manager.post if suffix == "run/" else manager.get)(
        f"/admin/conferences/conference/{other.pk}/{suffix}", {"action": "end"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.end_requested_at is None
