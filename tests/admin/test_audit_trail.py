"""Every button and API call that changes a meeting, tablet, user or customer leaves an audit
entry."""

from __future__ import annotations

import pytest

from accounts.models import AuditEntry
from accounts.services import customer_create
from conferences.lifecycle import meeting_mark_provisioned
from conferences.models import Conference
from conferences.providers import fake_booking
from devices.models import Device
from tests.factories import CUSTOMER_FORM_SETTINGS

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
                {"name": "A1 renamed", "state": "BLOCKED", **CUSTOMER_FORM_SETTINGS,
                 "parent_reseller": a1.parent_reseller_id})
    entries = list(AuditEntry.objects.filter(customer=a1).exclude(action="meeting.create")
                   .order_by("at").values_list("actor", "action", "target", "details"))
    assert entries == [
        (owner.pk, "user.update", viewer.email,
         {"access_level": "MANAGER", "previous": {"access_level": "VIEWER"}}),
        (owner.pk, "user.create", "new@a1.test", {"access_level": "VIEWER", "is_active": True}),
        (reseller.pk, "customer.update", "A1 renamed",
         {"name": "A1 renamed", "state": "BLOCKED",
          "previous": {"name": "A1", "state": "ACTIVE"}}),
    ]
    # An edit that changes nothing leaves no entry.
    client.post(f"/admin/accounts/customer/{a1.pk}/change/",
                {"name": "A1 renamed", "state": "BLOCKED", **CUSTOMER_FORM_SETTINGS,
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


# --- an audit trail nobody can forge or erase (issue 9, item 5) ---------------------------

def test_a_meeting_made_for_a_colleague_names_who_made_it(client, tenants):
    from tests.api.employee.conftest import MEETING, bearer, free_device

    manager, viewer = tenants.user("MANAGER@A1"), tenants.user("VIEWER@A1")
    a1 = tenants.customers["A1"]
    response = client.post(MEETING, {"customer": a1.pk, "devices": [free_device(a1).pk],
                                     "employee": viewer.pk}, content_type="application/json",
                           **bearer(tenants.user_tokens["MANAGER@A1"]))
    meeting = response.json()["_id"]
    assert response.json()["employee"] == viewer.pk  # the meeting is the colleague's
    entry = AuditEntry.objects.get(action="meeting.create", object_id=meeting)
    assert (entry.actor, entry.actor_email) == (manager, manager.email)
    assert entry.details["employee"] == viewer.email


def test_a_deleted_users_entries_still_name_them(client, tenants):
    manager = tenants.user("MANAGER@A1")
    device = Device.objects.get(customer__name="A1")
    client.force_login(manager)
    client.post("/admin/devices/device/", {"action": "reset_token", "confirm": "yes",
                                           "_selected_action": [device.pk]})
    client.force_login(tenants.user("ADMIN"))
    response = client.post(f"/admin/accounts/user/{manager.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not type(manager).objects.filter(pk=manager.pk).exists()

    client.force_login(tenants.user("OWNER@A1"))
    page = client.get("/admin/accounts/auditentry/?customer__id__exact="
                      f"{tenants.customers['A1'].pk}")
    rows = {(row.action, row.object_id): row for row in page.context["cl"].result_list}
    reset = rows["device.reset_token", device.pk]
    assert reset.actor is None  # the user is gone ...
    assert manager.email in page.content.decode()  # ... and the trail still names them
    assert str(reset).split()[2] == manager.email
    deleted = rows["user.delete", manager.pk]
    assert (deleted.actor_email, deleted.target) == ("admin@platform.test", manager.email)


@pytest.mark.parametrize("key", ["OWNER@A1", "RESELLER@Reseller A"])
def test_only_platform_admins_delete_users_everyone_else_disables_them(client, tenants, key):
    viewer = tenants.user("VIEWER@A1")
    client.force_login(tenants.user(key))
    assert client.get(f"/admin/accounts/user/{viewer.pk}/delete/").status_code == 403
    assert client.post(f"/admin/accounts/user/{viewer.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    changelist = client.get("/admin/accounts/user/")
    assert "delete_selected" not in changelist.content.decode()
    client.post("/admin/accounts/user/", {"action": "delete_selected", "post": "yes",
                                          "_selected_action": [viewer.pk]})
    viewer.refresh_from_db()  # still there
    assert 'name="is_active"' in client.get(
        f"/admin/accounts/user/{viewer.pk}/change/").content.decode()


def test_deleting_a_tablet_is_recorded_one_or_several(client, tenants):
    from tests.factories import DeviceFactory

    a1 = tenants.customers["A1"]
    one, two, three = (DeviceFactory.create(customer=a1) for _ in range(3))
    manager = tenants.user("MANAGER@A1")
    client.force_login(manager)
    assert client.post(f"/admin/devices/device/{one.pk}/delete/",
                       {"post": "yes"}).status_code == 302
    client.post("/admin/devices/device/", {"action": "delete_selected", "post": "yes",
                                           "_selected_action": [two.pk, three.pk]})
    assert not Device.objects.filter(pk__in=[one.pk, two.pk, three.pk]).exists()
    entries = AuditEntry.objects.filter(action="device.delete")
    assert sorted((e.actor, e.object_id, e.target) for e in entries) == sorted(
        (manager, device.pk, str(device)) for device in (one, two, three))


def test_a_tablet_with_meeting_history_is_kept_with_a_clear_reason(client, tenants):
    from tests.factories import DeviceFactory

    used = Device.objects.get(customer__name="A1")  # in the tenants' meeting
    spare = DeviceFactory.create(customer=tenants.customers["A1"])
    client.force_login(tenants.user("MANAGER@A1"))
    reason = "has taken part in meetings and is kept for their history"
    page = client.get(f"/admin/devices/device/{used.pk}/delete/")
    assert page.status_code == 200
    assert reason in page.content.decode()
    assert client.post(f"/admin/devices/device/{used.pk}/delete/",
                       {"post": "yes"}).status_code == 200
    bulk = client.post("/admin/devices/device/", {
        "action": "delete_selected", "post": "yes", "_selected_action": [used.pk, spare.pk]})
    assert bulk.status_code == 200
    assert reason in bulk.content.decode()
    assert Device.objects.filter(pk__in=[used.pk, spare.pk]).count() == 2  # neither deleted
    assert not AuditEntry.objects.filter(action="device.delete").exists()


def test_a_meeting_taking_the_tablet_meanwhile_is_a_message_not_an_error(client, tenants,
                                                                        monkeypatch):
    """Between the confirmation and the delete a meeting may take the tablet: the service,
    under the tablet's row lock, refuses, and the whole request is undone."""
    from devices.admin import DeviceAdmin
    from tests.factories import DeviceFactory, MeetingFactory

    a1 = tenants.customers["A1"]
    one, two = DeviceFactory.create(customer=a1), DeviceFactory.create(customer=a1)
    checked = DeviceAdmin.get_deleted_objects

    def then_a_meeting_takes_two(self, objs, request):
        answer = checked(self, objs, request)
        if request.method == "POST":
            MeetingFactory.create(customer=a1, devices=[two])
        return answer

    monkeypatch.setattr(DeviceAdmin, "get_deleted_objects", then_a_meeting_takes_two)
    client.force_login(tenants.user("MANAGER@A1"))
    single = client.post(f"/admin/devices/device/{two.pk}/delete/", {"post": "yes"},
                         follow=True)
    bulk = client.post("/admin/devices/device/", {
        "action": "delete_selected", "post": "yes", "_selected_action": [one.pk, two.pk]},
        follow=True)
    for response in (single, bulk):
        assert response.status_code == 200
        assert [str(m) for m in response.context["messages"]] == [
            f"{two} has taken part in meetings and is kept for their history; reset its token "
            "to log it out instead."]
    assert Device.objects.filter(pk__in=[one.pk, two.pk]).count() == 2  # all or nothing
    assert not AuditEntry.objects.filter(action="device.delete").exists()


@pytest.mark.parametrize(("key", "sees_users"), [
    ("VIEWER@A1", False), ("MANAGER@A1", False), ("OWNER@A1", True),
    ("RESELLER@Reseller A", True),
])
def test_entries_about_users_are_for_those_who_may_see_users(client, tenants, key, sees_users):
    from tests.admin.test_admin_writes import user_form
    from tests.factories import UserFactory

    nurse = UserFactory.create(email="nurse@a1.test", access_level="VIEWER",
                               customer=tenants.customers["A1"])
    client.force_login(tenants.user("OWNER@A1"))
    client.post(f"/admin/accounts/user/{nurse.pk}/change/",
                user_form(nurse, access_level="MANAGER"))
    entry = AuditEntry.objects.get(action="user.update")
    client.force_login(tenants.user(key))
    page = client.get("/admin/accounts/auditentry/")
    actions = {row.action for row in page.context["cl"].result_list}
    assert "meeting.create" in actions
    assert ("user.update" in actions) is sees_users
    for url in ("/admin/accounts/auditentry/", f"/admin/accounts/auditentry/{entry.pk}/change/",
                "/admin/accounts/auditentry/?q=nurse"):
        shown = client.get(url, follow=True).content.decode()
        assert ("nurse@a1.test" in shown) is sees_users, url


def test_deleting_a_customer_cannot_erase_its_trail(client, tenants):
    admin_user = tenants.user("ADMIN")
    customer = customer_create(name="Short-lived", actor=admin_user)  # nothing else holds it
    assert AuditEntry.objects.filter(customer=customer).count() == 1
    client.force_login(admin_user)
    page = client.post(f"/admin/accounts/customer/{customer.pk}/delete/", {"post": "yes"})
    assert page.status_code == 200  # Django's "cannot delete" page, not a 500
    assert "audit entr" in page.content.decode()
    assert AuditEntry.objects.filter(customer=customer).count() == 1


# --- entries read as sentences with links; the raw details behind a toggle (issue 11) ------

def test_entries_read_as_sentences_with_links_and_keep_their_details_behind_a_toggle(
        client, tenants):
    from accounts.services import user_update

    meeting = Conference.objects.get(customer__name="A1")
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    device = meeting.participants.get().device
    owner = tenants.user("OWNER@A1")
    client.force_login(owner)
    client.post(f"/admin/conferences/conference/{meeting.pk}/run/",
                {"action": "camera", "device": device.pk, "value": "off"})
    viewer = tenants.user("VIEWER@A1")
    user_update(user=viewer, changed_by=owner, access_level="MANAGER")
    listing = client.get("/admin/accounts/auditentry/").content.decode()
    assert (f'<a href="/admin/conferences/conference/{meeting.pk}/change/">'
            f"Camera off → {device.name} ({device.serial})</a>") in listing
    assert (f'<a href="/admin/accounts/user/{viewer.pk}/change/">Changed user {viewer.email}: '
            "Access level Viewer → Manager</a>") in listing
    assert "{" not in listing.split('id="result_list"')[1]  # no JSON in the list

    entry = AuditEntry.objects.get(action="user.update")
    page = client.get(f"/admin/accounts/auditentry/{entry.pk}/change/").content.decode()
    assert '<details class="raw-details"><summary>details</summary>' in page
    assert "&quot;access_level&quot;: &quot;MANAGER&quot;" in page


def test_an_entrys_heading_is_in_local_time(tenants, settings):
    from datetime import UTC, datetime

    entry = AuditEntry(at=datetime(2026, 7, 1, 10, 0, tzinfo=UTC), actor_email="a@b.test",
                       action="meeting.end", target="Bed 2")
    assert str(entry).startswith("2026-07-01 12:00:00")  # Copenhagen in summer: UTC+2
