"""`manage.py seed_demo`: the documented JSON shape, idempotence and its production guard."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import Customer, User
from conferences.models import MeetingState
from devices.models import Device
from devices.selectors import device_for_token

pytestmark = pytest.mark.django_db

SHAPE = {
    "admin": {"email", "password"},
    "users": {"_id", "email", "password", "accessLevel", "customer"},
    "customers": {"_id", "name", "isReseller", "parentReseller", "features"},
    "devices": {"_id", "serial", "deviceId", "customer", "token"},
    "meetings": {"_id", "customer", "state", "devices"},
}


def seed() -> dict:
    out = StringIO()
    call_command("seed_demo", "--json", "--force", stdout=out)
    return json.loads(out.getvalue())


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
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


def test_a_second_run_creates_nothing_new_and_reissues_tokens():
    first = seed()
    counts = row_counts()
    second = seed()
    assert row_counts() == {**counts, "DeviceToken": counts["DeviceToken"] + 4}
    assert [c["_id"] for c in first["customers"]] == [c["_id"] for c in second["customers"]]
    assert [m["_id"] for m in first["meetings"]] == [m["_id"] for m in second["meetings"]]
    for old, new in zip(first["devices"], second["devices"], strict=True):
        if old["token"]:
            assert device_for_token(old["token"]) is None
            assert device_for_token(new["token"]).pk == new["_id"]
    assert Customer.objects.count() == 6
    assert Device.objects.count() == 6


def test_it_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()
