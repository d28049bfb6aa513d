"""`manage.py seed_demo`: the documented JSON shape, idempotence (tokens included), command
history that follows the delivery rules, and its production guard."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Customer, User
from conferences.models import Command, CommandStatus, MeetingState
from devices.models import Device, DeviceToken
from devices.selectors import device_for_token
from devices.services import device_token_issue, device_token_reset
from devtools.demo import TOKEN_FILE_NAME

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    """The demo's token file goes to a private folder, never to the real var/; and the
    command runs as in `make run`, in development mode."""
    settings.VAR_DIR = tmp_path / "var"
    settings.DEBUG = True
    return settings.VAR_DIR

SHAPE = {
    "admin": {"email", "password"},
    "users": {"_id", "email", "password", "accessLevel", "customer"},
    "customers": {"_id", "name", "isReseller", "parentReseller", "features"},
    "devices": {"_id", "serial", "deviceId", "customer", "token"},
    "meetings": {"_id", "customer", "state", "devices"},
}


def seed() -> dict:
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def tablet_of(token: str) -> Device:
    """The tablet a token logs in, which must be one."""
    device = device_for_token(token)
    assert device is not None, "the token logs no tablet in"
    return device


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in ("accounts", "devices", "conferences")
    }


def test_json_has_exactly_the_documented_shape():
    data = seed()
    assert set(data) == set(SHAPE)
    assert set(data["admin"]) == SHAPE["admin"]
    for key in ("users", "customers", "devices", "meetings"):
        assert data[key], key
        for row in data[key]:
            assert set(row) == SHAPE[key], key


def test_it_creates_the_documented_demo_world():
    data = seed()
    customers = {c["_id"]: c for c in data["customers"]}
    resellers = [c for c in customers.values() if c["isReseller"]]
    assert len(resellers) == 2
    for reseller in resellers:
        children = [c for c in customers.values() if c["parentReseller"] == reseller["_id"]]
        assert sorted(c["features"] for c in children) == [[], ["FLEXCARE"]]
    flexcare = [c["_id"] for c in customers.values() if c["features"] == ["FLEXCARE"]]
    for customer in flexcare:
        levels = sorted(u["accessLevel"] for u in data["users"] if u["customer"] == customer)
        assert levels == ["MANAGER", "OWNER", "VIEWER"]
        devices = [d for d in data["devices"] if d["customer"] == customer]
        assert len(devices) == 3
        assert sum(d["token"] is not None for d in devices) == 2
        (meeting,) = [m for m in data["meetings"] if m["customer"] == customer]
        assert meeting["state"] == MeetingState.CREATED
        (in_meeting,) = meeting["devices"]
        assert next(d for d in devices if d["_id"] == in_meeting)["token"] is not None
    reseller_users = [u for u in data["users"] if u["accessLevel"] == "RESELLER"]
    assert {u["customer"] for u in reseller_users} == {r["_id"] for r in resellers}
    admin = User.objects.get(email=data["admin"]["email"])
    assert admin.access_level == "ADMIN"
    assert admin.check_password(data["admin"]["password"])


def test_demo_meetings_are_ready_with_commands_in_several_statuses():
    data = seed()
    from conferences.models import Conference

    for row in data["meetings"]:
        meeting = Conference.objects.get(pk=row["_id"])
        assert meeting.is_ready
        assert meeting.uri
        assert meeting.pin
        statuses = set(
            meeting.participants.get().commands.values_list("status", flat=True)
        )
        assert len(statuses) >= 3


def test_a_second_run_creates_nothing_new_and_keeps_every_token():
    first = seed()
    counts = row_counts()
    hashes = dict(User.objects.values_list("email", "password"))  # a new hash ends sessions
    revoked = DeviceToken.objects.filter(revoked_at__isnull=False).count()
    second = seed()
    assert row_counts() == counts
    assert DeviceToken.objects.filter(revoked_at__isnull=False).count() == revoked
    assert first == second
    assert dict(User.objects.values_list("email", "password")) == hashes
    assert [c["_id"] for c in first["customers"]] == [c["_id"] for c in second["customers"]]
    assert [m["_id"] for m in first["meetings"]] == [m["_id"] for m in second["meetings"]]
    for device in second["devices"]:
        if device["token"]:
            assert tablet_of(device["token"]).pk == device["_id"]
    assert Customer.objects.count() == 6
    assert Device.objects.count() == 6


def test_tokens_are_kept_in_a_private_file_under_var(var_dir):
    data = seed()
    path = var_dir / TOKEN_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert stored == {d["serial"]: d["token"] for d in data["devices"] if d["token"]}
    assert len(stored) == 4


def test_a_token_that_stopped_working_is_replaced_and_only_that_one(var_dir):
    first = {d["serial"]: d["token"] for d in seed()["devices"]}
    device_token_reset(device=Device.objects.get(serial="FLXCA1700001"))  # an employee's reset
    second = {d["serial"]: d["token"] for d in seed()["devices"]}
    assert second["FLXCA1700001"] != first["FLXCA1700001"]
    assert tablet_of(second["FLXCA1700001"]).serial == "FLXCA1700001"
    assert {k: v for k, v in second.items() if k != "FLXCA1700001"} == {
        k: v for k, v in first.items() if k != "FLXCA1700001"
    }
    stored = json.loads((var_dir / TOKEN_FILE_NAME).read_text())
    assert stored["FLXCA1700001"] == second["FLXCA1700001"]


def test_without_the_token_file_new_tokens_are_issued_and_the_old_ones_revoked(var_dir):
    first = seed()
    (var_dir / TOKEN_FILE_NAME).write_text("not json")
    second = seed()
    for old, new in zip(first["devices"], second["devices"], strict=True):
        if old["token"]:
            assert new["token"] != old["token"]
            assert device_for_token(old["token"]) is None
            assert tablet_of(new["token"]).pk == new["_id"]


def test_a_token_of_another_tablet_in_the_file_is_not_reused(var_dir):
    first = {d["serial"]: d["token"] for d in seed()["devices"]}
    swapped = {**first, "FLXCA1700001": first["FLXCA1700002"]}
    (var_dir / TOKEN_FILE_NAME).write_text(json.dumps(swapped))
    second = {d["serial"]: d["token"] for d in seed()["devices"]}
    assert second["FLXCA1700001"] not in (first["FLXCA1700001"], first["FLXCA1700002"])
    assert tablet_of(second["FLXCA1700001"]).serial == "FLXCA1700001"
    assert tablet_of(second["FLXCA1700002"]).serial == "FLXCA1700002"


def test_the_tablet_left_for_a_serial_login_is_not_logged_out_by_a_rerun():
    seed()
    third = Device.objects.get(serial="FLXCA1700003")
    assert not third.locked
    token = device_token_issue(device=third)  # a simulator logs in by serial
    seed()
    assert device_for_token(token) == third
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    assert "tablet FLXCA1700003 is logged in elsewhere" in out.getvalue()
    assert "tablet FLXCA1800003 is not logged in" in out.getvalue()


def test_the_tablets_left_for_a_serial_login_are_kept_open_for_login(client, settings):
    settings.TABLET_CLAIM_MINUTES = 0  # every other tablet's window is empty
    seed()  # the logged-in demo tablets get their tokens all the same
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        seed()  # every `make run` opens them again
        client.force_login(User.objects.get(email="admin@flexcare.example"))
        page = client.get("/admin/devices/device/", {"login": "open"})
        assert sorted(d.serial for d in page.context["cl"].result_list) == [
            "FLXCA1700003", "FLXCA1800003"]
    with time_machine.travel(timezone.now() + timedelta(days=12)):
        for serial in ("FLXCA1700003", "FLXCA1800003"):
            response = client.post("/iptv/app/login/serial", {"serial": serial},
                                   content_type="application/json")
            assert response.status_code == 200, serial


def test_the_printed_tokens_are_the_json_ones_and_stay_valid():
    data = seed()
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    for device in data["devices"]:
        if device["token"]:
            assert f"tablet {device['serial']} token: {device['token']}" in out.getvalue()
            assert tablet_of(device["token"]).pk == device["_id"]


def test_seeded_commands_are_in_states_the_delivery_rules_allow():
    seed()
    commands = list(Command.objects.all())
    assert {c.status for c in commands} == {
        CommandStatus.QUEUED, CommandStatus.FETCHED, CommandStatus.EXECUTED}
    for command in commands:
        if command.status == CommandStatus.QUEUED:
            assert command.delivery_count == 0
            assert command.fetched_at is None
            assert command.claim_expires_at is None
        elif command.status == CommandStatus.FETCHED:
            # Without a claim expiry a FETCHED command is never delivered again.
            assert command.claim_expires_at is not None
            assert command.claim_expires_at > command.fetched_at
            assert command.delivery_count == 1
        else:
            assert command.delivery_count == 1
            assert command.fetched_at is not None
            assert command.executed_at is not None
            assert command.finished_at is not None
            assert command.claim_expires_at is None


def test_it_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


def test_forced_with_debug_off_it_keeps_no_plain_token_on_disk(settings, var_dir):
    settings.DEBUG = False
    call_command("seed_demo", "--force", stdout=StringIO())
    assert User.objects.exists()
    assert not (var_dir / "demo-tablet-tokens.json").exists()
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    assert (var_dir / "demo-tablet-tokens.json").exists()
