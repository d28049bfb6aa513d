"""Every button and API call that changes a meeting or tablet leaves an audit entry."""

from __future__ import annotations

import pytest

from accounts.models import AuditEntry
from conferences.lifecycle import meeting_mark_provisioned
from conferences.models import Conference
from conferences.providers import fake_booking
from devices.models import Device

pytestmark = pytest.mark.django_db


def test_admin_buttons_are_recorded_with_who_what_and_when(client, tenants):
    manager = tenants.user("MANAGER@A1")
    meeting = Conference.objects.get(customer__name="A1")
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    device = meeting.participants.get().device
    client.force_login(manager)
    run = f"/admin/conferences/conference/{meeting.pk}/run/"
    client.post(run, {"action": "volume", "device": device.pk, "volume": "30"})
    client.post(run, {"action": "end"})
    client.post("/admin/devices/device/", {"action": "reset_token", "confirm": "yes",
                                           "_selected_action": [device.pk]})
    entries = list(AuditEntry.objects.filter(actor=manager).order_by("at")
                   .values_list("actor", "action", "object_id"))
    assert entries == [(manager.pk, "command.queue", meeting.pk),
                       (manager.pk, "meeting.end", meeting.pk),
                       (manager.pk, "device.reset_token", device.pk)]
    assert AuditEntry.objects.get(action="command.queue").details["volume"] == 30


def test_the_api_leaves_the_same_trace(client, tenants):
    manager = tenants.user("MANAGER@A1")
    device = Device.objects.get(customer__name="A1")
    client.post(f"/iptv/device/{device.pk}/resettoken",
                HTTP_AUTHORIZATION=f"Bearer {tenants.user_tokens['MANAGER@A1']}")
    entry = AuditEntry.objects.get(actor=manager)
    assert (entry.actor, entry.action, entry.object_id) == (manager, "device.reset_token",
                                                            device.pk)


def test_the_trail_is_scoped_and_read_only(client, tenants):
    from devices.services import device_token_reset

    for name in ("A1", "B1"):
        device_token_reset(device=Device.objects.get(customer__name=name),
                           actor=tenants.user(f"MANAGER@{name}"))
    client.force_login(tenants.user("VIEWER@A1"))
    page = client.get("/admin/accounts/auditentry/")
    shown = {entry.customer.name for entry in page.context["cl"].result_list}
    assert shown == {"A1"}
    assert AuditEntry.objects.filter(customer__name="B1").count() == 2
    assert client.get("/admin/accounts/auditentry/add/").status_code == 403
