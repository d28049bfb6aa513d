"""Lifecycle actions in the admin, and the fake provider's warning."""

from __future__ import annotations

import pytest

from conferences.lifecycle import (
    meeting_close,
    meeting_end,
    meeting_mark_provisioned,
    meeting_mark_provisioning_failed,
)
from conferences.models import Conference
from conferences.providers import fake_booking
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_a_manager_retries_failed_provisioning(client, tenants, django_capture_on_commit_callbacks):
    meeting = Conference.objects.get(customer__name="A1")
    meeting_mark_provisioning_failed(meeting_id=meeting.pk, error="VDX 503")
    client.force_login(tenants.user("MANAGER@A1"))
    listing = client.get("/admin/conferences/conference/")
    assert "VDX 503" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/conferences/conference/", {
            "action": "retry_provisioning", "_selected_action": [meeting.pk]})
    meeting.refresh_from_db()
    assert meeting.provisioning == "OK"  # re-queued; the (eager) task booked the fake room


def test_a_viewer_cannot_run_lifecycle_actions(client, tenants):
    meeting = Conference.objects.get(customer__name="A1")
    client.force_login(tenants.user("VIEWER@A1"))
    page = client.get("/admin/conferences/conference/").content.decode()
    assert "retry_provisioning" not in page
    client.post("/admin/conferences/conference/", {
        "action": "end_meeting", "_selected_action": [meeting.pk]})
    meeting.refresh_from_db()
    assert meeting.state == "CREATED"


def test_a_manager_ends_a_meeting(client, tenants):
    meeting = Conference.objects.get(customer__name="A1")
    client.force_login(tenants.user("MANAGER@A1"))
    client.post("/admin/conferences/conference/", {
        "action": "end_meeting", "_selected_action": [meeting.pk]})
    meeting.refresh_from_db()
    assert meeting.state == "CLOSED"  # never provisioned: closes at once


def test_the_fake_provider_is_labelled_in_the_admin(client, tenants, settings):
    client.force_login(tenants.user("MANAGER@A1"))
    assert "Fake VDX" in client.get("/admin/").content.decode()
    settings.VDX_PROVIDER = "vdx"
    assert "Fake VDX" not in client.get("/admin/").content.decode()


def test_ending_from_the_list_counts_meetings_already_closed_or_ending(client, tenants):
    closed = Conference.objects.get(customer__name="A1")
    meeting_close(meeting_id=closed.pk)
    ending = MeetingFactory.create(customer=tenants.customers["A1"])
    meeting_mark_provisioned(meeting=ending, booking=fake_booking(ending.pk))
    meeting_end(meeting=ending, ended_by=None)
    fresh = MeetingFactory.create(customer=tenants.customers["A1"])
    client.force_login(tenants.user("MANAGER@A1"))

    def end(*meetings):
        page = client.post("/admin/conferences/conference/", {
            "action": "end_meeting", "_selected_action": [m.pk for m in meetings]}, follow=True)
        return [(m.level_tag, str(m)) for m in page.context["messages"]]

    assert end(closed, ending, fresh) == [
        ("warning", "Ending 1 meeting(s); 2 already closed or ending.")]
    fresh.refresh_from_db()
    assert fresh.state == "CLOSED"
    another = MeetingFactory.create(customer=tenants.customers["A1"])
    assert end(another) == [("success", "Ending 1 meeting(s).")]
