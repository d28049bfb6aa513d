"""The front page per role (issue 11, item 2): a ward's under its customer's name, with its
live meetings by bed, tablets, recent failures and recent actions; a reseller's and the
platform admin's with their customers. A fixed number of queries however much there is."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEntry
from conferences.lifecycle import (
    meeting_end,
    meeting_mark_provisioned,
    meeting_mark_provisioning_failed,
)
from conferences.models import Command, Conference
from conferences.providers import fake_booking
from conferences.services import command_queue
from devices.models import Device
from tests.factories import DeviceFactory, MeetingFactory

pytestmark = pytest.mark.django_db

TECHNICAL = ("Commands", "Meeting tablets", "Tablet tokens")


def front(client, tenants, key) -> str:
    client.force_login(tenants.user(key))
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, name: str) -> str:
    match = re.search(rf'<section class="front-block" id="front-{name}".*?</section>', html, re.S)
    assert match, name
    return match.group(0)


def test_a_wards_front_page_is_titled_with_its_customer_and_says_where_meetings_stand(
        client, tenants):
    meeting = Conference.objects.get(customer__name="A1")
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    Device.objects.filter(name="Bed A1").update(last_seen_at=timezone.now())
    html = front(client, tenants, "MANAGER@A1")
    assert "<h1>A1</h1>" in html
    assert "<title>A1 | FlexCare Conference</title>" in html
    assert "Site administration" not in html
    assert 'id="start-meeting" href="/admin/conferences/conference/add/"' in html
    meetings = section(html, "meetings")
    assert f'href="/admin/conferences/conference/{meeting.pk}/change/"' in meetings
    assert re.search(r"Waiting for Bed A1 to join · \d+ min", meetings), meetings
    tablets = section(html, "tablets")
    assert "Bed A1" in tablets
    assert '<span class="badge ok">online</span>' in tablets
    assert "Recent failures" in html
    assert "Bed B1" not in html  # another customer's

    # The tablet joined; a command failed; the actions read as sentences with links.
    device = Device.objects.get(name="Bed A1")
    Command.objects.filter(type="START_MEETING", conference_device__device=device).update(
        status="EXECUTED", executed_at=timezone.now(), finished_at=timezone.now())
    Conference.objects.filter(pk=meeting.pk).update(state="STARTED", started_at=timezone.now())
    camera = command_queue(meeting=meeting, device=device, type="CAMERA_ON", value=False,
                           created_by=tenants.user("MANAGER@A1"))
    Command.objects.filter(pk=camera.pk).update(status="FAILED", error="camera in use",
                                                finished_at=timezone.now())
    html = front(client, tenants, "MANAGER@A1")
    assert re.search(r"Bed A1 in meeting · \d+ min", section(html, "meetings"))
    assert "Bed A1 did not turn its camera off: camera in use" in section(html, "failures")
    actions = section(html, "actions")
    assert f'<a href="/admin/conferences/conference/{meeting.pk}/change/">Camera off → Bed A1' \
        in actions


def test_a_room_that_could_not_be_booked_offers_a_retry_to_a_manager_only(client, tenants):
    meeting = Conference.objects.get(customer__name="A1")
    meeting_mark_provisioning_failed(meeting_id=meeting.pk, error="VDX said no")
    line = section(front(client, tenants, "MANAGER@A1"), "meetings")
    assert "Room could not be booked" in line
    assert f'action="/admin/conferences/conference/{meeting.pk}/run/"' in line
    assert 'value="retry"' in line
    viewer = front(client, tenants, "VIEWER@A1")
    assert "Room could not be booked" in viewer
    assert 'value="retry"' not in viewer
    assert 'id="start-meeting"' not in viewer


def test_an_ending_meeting_says_so_on_the_front_page(client, tenants):
    meeting = Conference.objects.get(customer__name="A1")
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    Command.objects.filter(type="START_MEETING").update(
        status="EXECUTED", executed_at=timezone.now(), finished_at=timezone.now())
    Conference.objects.filter(pk=meeting.pk).update(state="STARTED", started_at=timezone.now())
    meeting_end(meeting=Conference.objects.get(pk=meeting.pk), ended_by=None)
    line = section(front(client, tenants, "VIEWER@A1"), "meetings")
    assert re.search(r'<li class="standing-ending" data-meeting="[0-9a-f]+">\s*<a href="/admin/'
                     rf'conferences/conference/{meeting.pk}/change/"><strong>Bed A1 · ', line)
    assert re.search(r"Ending… · \d+ min", line), line


@pytest.mark.parametrize("key", ["VIEWER@A1", "MANAGER@A1"])
def test_the_technical_lists_leave_a_wards_navigation(client, tenants, key):
    html = front(client, tenants, key)
    for name in TECHNICAL:
        assert f">{name}<" not in html, name
    assert ">Meetings<" in html
    # Still there by their address (the meeting page's timeline says the same anyway).
    assert client.get("/admin/conferences/command/").status_code == 200


def test_owners_and_above_keep_the_technical_lists(client, tenants):
    html = front(client, tenants, "OWNER@A1")
    for name in TECHNICAL:
        assert f">{name}<" in html, name


@pytest.mark.parametrize("key", ["RESELLER@Reseller A", "ADMIN"])
def test_resellers_and_the_admin_see_their_customers(client, tenants, key):
    Device.objects.filter(name="Bed A1").update(last_seen_at=timezone.now())
    html = front(client, tenants, key)
    assert "Site administration" not in html
    assert "<h1>Overview</h1>" in html
    assert 'id="usage-link"' in html
    customers = section(html, "customers")
    found = re.search(r'<tr data-customer="[0-9a-f]+">\s*<td><a [^>]*>A1</a>.*?</tr>',
                      customers, re.S)
    assert found
    row = found.group(0)
    cells = re.findall(r">(\d+)<", row)
    assert cells == ["1", "1", "0", "0"]  # live meetings, online, offline, failures
    assert ("B1" in customers) is (key == "ADMIN")
    assert "· A1" in section(html, "meetings")  # live meetings name their customer here


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(("key", "queries"), [("MANAGER@A1", 10), ("RESELLER@Reseller A", 15)])
def test_the_front_page_takes_a_fixed_number_of_queries(client, tenants, key, queries):
    client.force_login(tenants.user(key))
    before = _count(client, "/admin/")
    customer = tenants.customers["A1"]
    for _ in range(4):
        devices = [DeviceFactory.create(customer=customer) for _ in range(3)]
        meeting = MeetingFactory.create(customer=customer, devices=devices)
        meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
        for device in devices:
            command = command_queue(meeting=meeting, device=device, type="SET_VOLUME",
                                    volume=20, created_by=tenants.user("MANAGER@A1"))
            Command.objects.filter(pk=command.pk).update(status="FAILED",
                                                         finished_at=timezone.now())
    assert AuditEntry.objects.filter(customer=customer).count() > 10
    after = _count(client, "/admin/")
    assert (before, after) == (queries, queries)
