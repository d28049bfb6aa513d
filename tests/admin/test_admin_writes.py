"""The admin writes through the services: no escalation, no scope holes, no bypassed rules."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from accounts.models import AuditEntry, Customer, User, UserToken
from accounts.tokens import TokenState, token_check
from conferences.models import Conference
from devices.models import Device, DeviceToken
from tests.factories import CUSTOMER_FORM_SETTINGS

pytestmark = pytest.mark.django_db


def user_token_state(token: str) -> TokenState:
    return token_check(model=UserToken, token=token)[0]


def login(client, tenants, key):
    client.force_login(tenants.user(key))
    return client


def user_form(user: User, **changes) -> dict:
    data = {"email": user.email, "name": user.name, "customer": user.customer_id or "",
            "access_level": user.access_level, "is_active": "on"}
    data.update(changes)
    return data


def test_an_owner_cannot_raise_its_own_level(client, tenants):
    owner = tenants.user("OWNER@A1")
    login(client, tenants, "OWNER@A1").post(
        f"/admin/accounts/user/{owner.pk}/change/", user_form(owner, access_level="ADMIN"))
    owner.refresh_from_db()
    assert owner.access_level == "OWNER"


def test_an_owner_cannot_grant_a_level_above_its_own(client, tenants):
    manager = tenants.user("MANAGER@A1")
    response = login(client, tenants, "OWNER@A1").post(
        f"/admin/accounts/user/{manager.pk}/change/", user_form(manager, access_level="ADMIN"))
    assert response.status_code == 200  # the form again, with an error
    assert "access_level" in response.context["adminform"].form.errors
    manager.refresh_from_db()
    assert manager.access_level == "MANAGER"


def test_an_owner_creates_users_up_to_its_own_level_with_a_password(client, tenants):
    customer = tenants.customers["A1"]
    owner_client = login(client, tenants, "OWNER@A1")
    base = {"email": "new@a1.test", "name": "New", "customer": customer.pk,
            "usable_password": "true", "password1": "A-long-passphrase-1",
            "password2": "A-long-passphrase-1"}
    refused = owner_client.post("/admin/accounts/user/add/", {**base, "access_level": "RESELLER"})
    assert refused.status_code == 200
    assert not User.objects.filter(email="new@a1.test").exists()
    owner_client.post("/admin/accounts/user/add/", {**base, "access_level": "MANAGER"})
    created = User.objects.get(email="new@a1.test")
    assert (created.access_level, created.customer_id) == ("MANAGER", customer.pk)
    assert authenticate(username="NEW@A1.test", password="A-long-passphrase-1") == created


def test_users_above_ones_level_are_invisible(client, tenants):
    from accounts.services import user_create

    boss = user_create(email="boss@a1.test", password="x" * 12, access_level="RESELLER",
                       customer=tenants.customers["Reseller A"])
    response = login(client, tenants, "RESELLER@Reseller A").get("/admin/accounts/user/")
    assert boss.email in response.content.decode()
    owner_view = login(client, tenants, "OWNER@A1").get(f"/admin/accounts/user/{boss.pk}/change/")
    assert owner_view.status_code == 302  # "does not exist" redirect, like any missing object


def test_a_customer_created_by_a_reseller_lands_in_its_tree(client, tenants):
    reseller = tenants.customers["Reseller A"]
    login(client, tenants, "RESELLER@Reseller A").post("/admin/accounts/customer/add/", {
        "name": "New Clinic", "state": "ACTIVE", "parent_reseller": reseller.pk,
        "features": ["FLEXCARE"], "is_reseller": "on", **CUSTOMER_FORM_SETTINGS})
    clinic = Customer.objects.get(name="New Clinic")
    assert clinic.tree_path == f"{reseller.tree_path}{clinic.pk}/"
    assert clinic.features == []  # only platform admins set features
    assert not clinic.is_reseller  # ... and create resellers


def test_a_reseller_cannot_create_a_cycle(client, tenants):
    top = tenants.customers["Reseller A"]
    sub = tenants.customers["A-sub"]
    response = login(client, tenants, "ADMIN").post(
        f"/admin/accounts/customer/{top.pk}/change/",
        {"name": top.name, "state": "ACTIVE", "is_reseller": "on", "parent_reseller": sub.pk,
         **CUSTOMER_FORM_SETTINGS})
    assert response.status_code == 200
    assert "parent_reseller" in response.context["adminform"].form.errors
    top.refresh_from_db()
    assert top.parent_reseller_id is None


def test_a_device_needs_a_customer_with_the_feature(client, tenants):
    from accounts.services import customer_create

    library = customer_create(name="Library", parent_reseller=tenants.customers["Reseller A"])
    response = login(client, tenants, "ADMIN").post("/admin/devices/device/add/", {
        "customer": library.pk, "name": "Tab", "serial": "S-1", "device_id": "D-1",
        "technical_room_number": "1", "volume": 50, "quality": "HIGH", "medcom_uri": ""})
    assert response.status_code == 200
    assert not Device.objects.filter(serial="S-1").exists()
    # Says what to do about it, in the words of the product (the API keeps the contract's
    # "Customer does not have IPTV": tests/api/employee/test_create_meeting.py).
    assert response.context["adminform"].form.errors["customer"] == [
        "This customer does not have FlexCare yet; ask your platform administrator to enable it."]
    offered = login(client, tenants, "ADMIN").get("/admin/devices/device/add/")
    assert library.pk not in offered.content.decode()  # not offered in the first place
    assert f'<option value="{tenants.customers["A1"].pk}">A1</option>' in offered.content.decode()


def test_device_volume_over_100_is_a_form_error_not_a_crash(client, tenants):
    device = Device.objects.get(customer__name="A1")
    response = login(client, tenants, "MANAGER@A1").post(
        f"/admin/devices/device/{device.pk}/change/", {
            "customer": device.customer_id, "name": device.name, "serial": device.serial,
            "device_id": device.device_id, "technical_room_number": "1", "volume": 101,
            "quality": "HIGH", "medcom_uri": ""})
    assert response.status_code == 200
    assert "volume" in response.context["adminform"].form.errors


@pytest.mark.parametrize("path", ["/admin/conferences/command/add/",
                                  "/admin/devices/devicetoken/add/"])
def test_records_only_services_write_cannot_be_added_in_the_admin(client, tenants, path):
    assert login(client, tenants, "ADMIN").get(path).status_code == 403


def test_the_reset_token_action_unlocks_and_revokes(client, tenants):
    device = Device.objects.get(customer__name="A1")
    manager = login(client, tenants, "MANAGER@A1")
    confirm = manager.post("/admin/devices/device/", {
        "action": "reset_token", "_selected_action": [device.pk]})
    assert "must log in again" in confirm.content.decode()

    def locked() -> bool:
        device.refresh_from_db()
        return device.locked

    assert locked()  # nothing happens before the confirmation
    manager.post("/admin/devices/device/", {
        "action": "reset_token", "_selected_action": [device.pk], "confirm": "yes"})
    assert not locked()
    assert not DeviceToken.objects.active().filter(device=device).exists()


def test_a_viewer_cannot_reset_tokens(client, tenants):
    device = Device.objects.get(customer__name="A1")
    login(client, tenants, "VIEWER@A1").post("/admin/devices/device/", {
        "action": "reset_token", "_selected_action": [device.pk], "confirm": "yes"})
    device.refresh_from_db()
    assert device.locked


def test_meetings_are_browsable_in_scope(client, tenants):
    own = Conference.objects.get(customer__name="A1")
    other = Conference.objects.get(customer__name="B1")
    viewer = login(client, tenants, "VIEWER@A1")
    assert viewer.get(f"/admin/conferences/conference/{own.pk}/change/").status_code == 200
    assert viewer.get(f"/admin/conferences/conference/{other.pk}/change/").status_code == 404


def test_login_ignores_email_case(tenants):
    user = tenants.user("MANAGER@A1")
    assert authenticate(username=user.email.upper(), password="test-password-123") == user


def test_health_is_reachable_over_plain_http_behind_the_ssl_redirect(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health").status_code == 200
    assert client.get("/admin/login/").status_code == 301


def test_health_with_a_slash_answers_like_health(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True  # a probe written as /health/, over plain HTTP
    plain, slashed = client.get("/health"), client.get("/health/")
    assert (slashed.status_code, slashed.json()) == (plain.status_code, plain.json())
    assert slashed.json() == {"status": "ok", "database": "ok"}


def test_a_reseller_edits_its_own_record_without_moving_it(client, tenants):
    own = tenants.customers["A-sub"]
    response = login(client, tenants, "RESELLER@A-sub").post(
        f"/admin/accounts/customer/{own.pk}/change/",
        {"name": "A-sub renamed", **CUSTOMER_FORM_SETTINGS})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "A-sub renamed"
    assert own.parent_reseller == tenants.customers["Reseller A"]


def test_autocomplete_with_a_reverse_relation_is_refused_not_a_crash(client, tenants):
    response = login(client, tenants, "MANAGER@A1").get(
        "/admin/autocomplete/", {"app_label": "accounts", "model_name": "customer",
                                 "field_name": "users", "term": "a"})
    assert response.status_code == 403


def test_an_owner_revokes_an_employees_api_tokens(client, tenants):
    manager, owner = tenants.user("MANAGER@A1"), tenants.user("OWNER@A1")
    token = tenants.user_tokens["MANAGER@A1"]
    owner_client = login(client, tenants, "OWNER@A1")
    listed = owner_client.get("/admin/accounts/usertoken/").context["cl"].result_list
    assert {row.user.customer.name for row in listed} == {"A1"}
    owner_client.post("/admin/accounts/user/", {"action": "revoke_tokens",
                                                "_selected_action": [manager.pk]})
    assert user_token_state(token) is TokenState.INVALID
    assert user_token_state(tenants.user_tokens["OWNER@A1"]) is TokenState.VALID
    assert not UserToken.objects.active().filter(user=manager).exists()
    entry = AuditEntry.objects.get(action="user.revoke_tokens")
    assert (entry.actor, entry.object_id, entry.details) == (owner, manager.pk, {"revoked": 1})


def test_a_manager_neither_sees_api_tokens_nor_revokes_them(client, tenants):
    manager_client = login(client, tenants, "MANAGER@A1")
    assert manager_client.get("/admin/accounts/usertoken/").status_code == 403
    owner = tenants.user("OWNER@A1")
    manager_client.post("/admin/accounts/user/", {"action": "revoke_tokens",
                                                  "_selected_action": [owner.pk]})
    assert user_token_state(tenants.user_tokens["OWNER@A1"]) is TokenState.VALID


def test_a_resellers_customer_form_offers_its_only_parent_once_and_chosen(client, tenants):
    page = login(client, tenants, "RESELLER@Reseller B").get("/admin/accounts/customer/add/")
    form = page.context["adminform"].form
    assert form["parent_reseller"].value() == tenants.customers["Reseller B"].pk
    shown = [field for fieldset in page.context["adminform"] for line in fieldset
             for field in line]
    names = [field.field["name"] if isinstance(field.field, dict) else field.field.name
             for field in shown]
    assert names.count("parent_reseller") == 1
    assert "parent_name" not in names


def test_a_manager_registering_a_tablet_has_its_hospital_chosen(client, tenants):
    page = login(client, tenants, "MANAGER@A1").get("/admin/devices/device/add/")
    assert page.context["adminform"].form["customer"].value() == tenants.customers["A1"].pk


def test_the_user_list_filters_only_by_levels_the_viewer_can_see(client, tenants):
    page = login(client, tenants, "OWNER@A1").get("/admin/accounts/user/")
    (level_filter,) = [f for f in page.context["cl"].filter_specs
                       if getattr(f, "parameter_name", None) == "access_level"]
    offered = [choice["display"] for choice in level_filter.choices(page.context["cl"])]
    assert offered == ["All", "Viewer", "Manager", "Owner"]
    filtered = client.get("/admin/accounts/user/", {"access_level": "MANAGER"})
    assert [u.email for u in filtered.context["cl"].result_list] == ["manager@a1.test"]


def test_audit_entries_read_as_words_and_customers_features_as_a_list(client, tenants):
    page = login(client, tenants, "ADMIN").get("/admin/accounts/auditentry/").content.decode()
    assert "created meeting" in page
    assert "meeting.create</td>" not in page
    customers = client.get("/admin/accounts/customer/").content.decode()
    assert "[&#x27;FLEXCARE&#x27;]" not in customers
    assert "FLEXCARE" in customers


def test_an_owner_cannot_revoke_another_customers_tokens(client, tenants):
    other = tenants.user("MANAGER@B1")
    login(client, tenants, "OWNER@A1").post("/admin/accounts/user/", {
        "action": "revoke_tokens", "_selected_action": [other.pk]})
    assert user_token_state(tenants.user_tokens["MANAGER@B1"]) is TokenState.VALID
    assert not AuditEntry.objects.filter(action="user.revoke_tokens").exists()


def test_audit_details_name_related_objects_rather_than_show_their_ids(client, tenants):
    from accounts.services import customer_update

    a1 = tenants.customers["A1"]
    customer_update(customer=a1, actor=tenants.user("ADMIN"),
                    parent_reseller=tenants.customers["A-sub"])
    entry = AuditEntry.objects.get(action="customer.update")
    assert entry.details == {"parent_reseller": "A-sub",
                             "previous": {"parent_reseller": "Reseller A"}}


def test_the_tablet_form_uses_a_nurses_words_and_no_set_volume_box(client, tenants):
    html = login(client, tenants, "MANAGER@A1").get("/admin/devices/device/add/").content.decode()
    for label in ("Room number:", "Barcode:", "Volume:"):
        assert f">{label}</label>" in html, label
    assert "deviceId" not in html
    assert "technical room number" not in html.lower()
    assert 'name="set_volume"' not in html  # an empty volume leaves the tablet's own alone
    assert "Leave empty to keep the tablet's own volume." in html
    assert "The code on the tablet's label" in html  # help where a term is unavoidable
    assert "The room the tablet stands in" in html
    listing = client.get("/admin/devices/device/").content.decode()
    heading = listing.split('id="result_list"')[1].split("</thead>")[0]
    assert "Room number" in heading
    assert "locked" not in heading.lower()


def test_a_customers_tablet_defaults_are_edited_with_the_tablets_widgets_not_json(
        client, tenants):
    a1 = tenants.customers["A1"]
    shown = login(client, tenants, "OWNER@A1").get(f"/admin/accounts/customer/{a1.pk}/change/")
    shown = shown.content.decode().split('id="content-main"')[1]
    assert "Settings for new tablets" in shown  # read-only for an owner: in words, not JSON
    assert ("Camera on when a meeting starts: yes<br>Microphone on when a meeting starts: yes"
            "<br>Volume: the tablet&#x27;s own<br>Video quality: High") in shown
    assert ">FLEXCARE<" in shown  # its features as names, not a JSON list
    assert "None" not in shown
    assert "cameraOn" not in shown
    assert "[&quot;" not in shown
    page = login(client, tenants, "RESELLER@Reseller A").get(
        f"/admin/accounts/customer/{a1.pk}/change/")
    html = page.content.decode()
    for name in ("camera_on", "microphone_on", "volume", "quality", "add_participant"):
        assert f'name="{name}"' in html, name
    assert "<textarea" not in html
    assert "cameraOn" not in html
    assert "default_tablet_settings" not in html
    client.post(f"/admin/accounts/customer/{a1.pk}/change/", {
        "name": "A1", "state": "ACTIVE", "parent_reseller": a1.parent_reseller_id,
        "microphone_on": "on", "volume": "40", "quality": "LOW"})
    a1.refresh_from_db()
    defaults = a1.tablet_defaults
    assert (defaults.camera_on, defaults.microphone_on, defaults.volume, defaults.set_volume,
            defaults.quality) == (False, True, 40, True, "LOW")
