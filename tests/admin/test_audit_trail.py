"""Every button and API call that changes a meeting, tablet, user or customer leaves an audit
entry."""

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


def test_who_may_do_what_is_recorded_too(client, tenants):
    from tests.admin.test_admin_writes import user_form

    owner, viewer = tenants.user("OWNER@A1"), tenants.user("VIEWER@A1")
    client.force_login(owner)
    client.post(f"/admin/accounts/user/{viewer.pk}/change/",
                user_form(viewer, access_level="MANAGER"))
    client.post("/admin/accounts/user/add/", {
        "email": "new@a1.test", "customer": tenants.customers["A1"].pk, "access_level": "VIEWER",
        "usable_password": "true", "password1": "A-long-passphrase-1",
        "password2": "A-long-passphrase-1"})
    reseller = tenants.user("RESELLER@Reseller A")
    client.force_login(reseller)
    a1 = tenants.customers["A1"]
    client.post(f"/admin/accounts/customer/{a1.pk}/change/",
                {"name": "A1 renamed", "state": "BLOCKED", "default_tablet_settings": "{}",
                 "parent_reseller": a1.parent_reseller_id})
    entries = list(AuditEntry.objects.filter(customer=a1).exclude(action="meeting.create")
                   .order_by("at").values_list("actor", "action", "target", "details"))
    assert entries == [
        (owner.pk, "user.update", viewer.email, {"access_level": "MANAGER"}),
        (owner.pk, "user.create", "new@a1.test", {"access_level": "VIEWER", "is_active": True}),
        (reseller.pk, "customer.update", "A1 renamed", {"name": "A1 renamed", "state": "BLOCKED"}),
    ]
    # An edit that changes nothing leaves no entry.
    client.post(f"/admin/accounts/customer/{a1.pk}/change/",
                {"name": "A1 renamed", "state": "BLOCKED", "default_tablet_settings": "{}",
                 "parent_reseller": a1.parent_reseller_id})
    assert AuditEntry.objects.filter(customer=a1, action="customer.update").count() == 1
    # Seen by the customer's own people, not by another customer's.
    client.force_login(tenants.user("VIEWER@B1"))
    shown = client.get("/admin/accounts/auditentry/").context["cl"].result_list
    assert {entry.customer.name for entry in shown} == {"B1"}


def test_a_user_moved_to_another_customer_is_seen_leaving_and_arriving(tenants):
    from accounts.services import user_update

    viewer = tenants.user("VIEWER@A1")
    user_update(user=viewer, changed_by=tenants.user("RESELLER@Reseller A"),
                customer=tenants.customers["A2"])
    entries = AuditEntry.objects.filter(action="user.update", object_id=viewer.pk)
    assert sorted(e.customer.name for e in entries) == ["A1", "A2"]
    assert {e.details["customer"] for e in entries} == {"A2"}
