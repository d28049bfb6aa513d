"""Admin sessions fit a shared ward PC: they end SESSION_IDLE_MINUTES (30) after the last
request and SESSION_MAX_HOURS (8) after the login, however busy."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.sessions import LOGIN_AT
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(client) -> bool:
    response = client.get("/admin/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def expiry(client):
    return Session.objects.get(pk=client.session.session_key).expire_date


def test_a_session_ends_after_30_idle_minutes(client, tenants):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.post("/admin/login/", {"username": "manager@a1.test", "password": PASSWORD})
        assert client.cookies["sessionid"]["max-age"] == 30 * 60
        for _ in range(3):  # used every 29 minutes: it lasts
            clock.shift(timedelta(minutes=29))
            assert signed_in(client)
        clock.shift(timedelta(minutes=30))
        assert not signed_in(client)


def test_requests_within_a_minute_do_not_write_the_session(client, tenants):
    """The live meeting page polls every few seconds: the idle expiry moves once a minute, so
    a session ends between 29 and 30 idle minutes after its last request, never later."""
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.force_login(tenants.user("VIEWER@A1"))
        signed_in(client)
        written = expiry(client)
        clock.shift(timedelta(seconds=59))
        assert signed_in(client)
        assert expiry(client) == written
        clock.shift(timedelta(seconds=1))
        assert signed_in(client)
        assert expiry(client) == timezone.now() + timedelta(minutes=30)


def test_a_session_ends_8_hours_after_login_however_busy(client, tenants):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.force_login(tenants.user("MANAGER@A1"))
        for _ in range(8 * 3 - 1):
            clock.shift(timedelta(minutes=20))
            assert signed_in(client)
        clock.shift(timedelta(minutes=20))  # 8 hours after the login
        assert not signed_in(client)
        assert "_auth_user_id" not in client.session
        client.force_login(tenants.user("MANAGER@A1"))  # a new login starts a new 8 hours
        assert signed_in(client)


def test_a_session_without_a_recorded_login_ends(client, tenants):
    client.force_login(tenants.user("MANAGER@A1"))
    session = client.session
    del session[LOGIN_AT]  # as a session from before the limit
    session.save()
    assert not signed_in(client)
