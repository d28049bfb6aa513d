"""Tablet tokens: random, shown once, stored only as a digest, revocable at once."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import CustomerState
from devices.models import Device, DeviceToken
from devices.selectors import device_for_token
from devices.services import device_token_issue, device_token_reset, device_token_revoke
from flexcare.errors import Conflict
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db


def test_the_plain_token_is_nowhere_in_the_database():
    device = DeviceFactory.create()
    token = device_token_issue(device=device)
    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    assert token not in dump.getvalue()
    row = DeviceToken.objects.get(device=device)
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(row.prefix)
    assert len(row.prefix) < 12


def test_tokens_carry_at_least_32_random_bytes():
    tokens = {device_token_issue(device=DeviceFactory.create()) for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 4 + 43 for t in tokens)  # "fct_" + base64 of 32 bytes


def test_a_token_finds_its_device():
    device = DeviceFactory.create()
    token = device_token_issue(device=device)
    assert device_for_token(token) == device


@pytest.mark.parametrize("token", ["", "fct_unknown", None, 42, ["x"]])
def test_unknown_or_malformed_tokens_find_nothing(token):
    DeviceFactory.create()
    assert device_for_token(token) is None


def test_login_locks_the_device_until_reset():
    device = DeviceFactory.create()
    first = device_token_issue(device=device)
    assert Device.objects.get(pk=device.pk).locked
    with pytest.raises(Conflict) as refused:
        device_token_issue(device=device)
    assert refused.value.code == "locked"
    device_token_reset(device=device)
    assert device_for_token(first) is None
    second = device_token_issue(device=device)
    assert device_for_token(second) == device


def test_logout_revokes_at_once():
    device = DeviceFactory.create()
    token = device_token_issue(device=device)
    assert device_token_revoke(token=token)
    assert device_for_token(token) is None
    assert not device_token_revoke(token=token)


def test_a_blocked_customers_tablet_is_refused():
    device = DeviceFactory.create()
    token = device_token_issue(device=device)
    type(device.customer).objects.filter(pk=device.customer_id).update(
        state=CustomerState.BLOCKED
    )
    assert device_for_token(token) is None


def test_revoked_tokens_are_purged_a_day_later_and_active_ones_kept():
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from devices.tasks import purge_tokens

    device, other = DeviceFactory.create(), DeviceFactory.create()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        old = device_token_issue(device=device)
        device_token_reset(device=device)
        new = device_token_issue(device=device)
        active = device_token_issue(device=other)
        clock.shift(timedelta(hours=23, minutes=59))
        assert purge_tokens.delay().get() == 0
        clock.shift(timedelta(minutes=2))
        assert purge_tokens.delay().get() == 1
    assert not DeviceToken.objects.filter(digest=hashlib.sha256(old.encode()).hexdigest()).exists()
    assert device_for_token(new) == device
    assert device_for_token(active) == other
