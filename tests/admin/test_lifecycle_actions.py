"""Lifecycle actions in the admin, and the fake provider's warning."""

from __future__ import annotations

import pytest

from conferences.lifecycle import meeting_mark_provisioning_failed
from conferences.models import Conference

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
