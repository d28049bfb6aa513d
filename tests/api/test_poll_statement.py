"""The polls' one statement (conferences.polling over flexcare.fast_read): the same token rule
as token_check, one round trip on a reused connection, prepared on PostgreSQL, and a
connection that died while idle replaced without failing the poll."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.db import OperationalError, close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import CustomerState
from accounts.tokens import TokenState, token_check
from devices.models import Device, DeviceToken
from devices.services import device_token_issue, device_token_reset, device_token_revoke
from flexcare.fast_read import read_row
from tests.api.conftest import TabletInMeeting, error_of, ready_meeting
from tests.factories import DeviceFactory

GETMEETING = "/iptv/flexcareconference/meeting/device"


def polls(meeting_id: str) -> dict[str, str]:
    commands = f"/iptv/flexcareconference/meeting/{meeting_id}/commands"
    return {"getmeeting": GETMEETING, "getcommands": commands,
            "acknowledge": f"{commands}/{'0' * 24}/executed"}


def poll(client: Client, path: str, token: str) -> Any:
    return client.post(path, {"token": token, "success": True}, content_type="application/json")


def _revoked(device: Device, token: str) -> None:
    device_token_revoke(token=token)


def _reset(device: Device, token: str) -> None:
    device_token_reset(device=device)


def _blocked(device: Device, token: str) -> None:
    type(device.customer).objects.filter(pk=device.customer_id).update(
        state=CustomerState.BLOCKED)


def _registration_deleted(device: Device, token: str) -> None:
    device.delete()


@pytest.mark.django_db
@pytest.mark.parametrize("change", [None, _revoked, _reset, _blocked, _registration_deleted],
                         ids=["valid", "revoked", "reset", "blocked", "deleted"])
def test_the_polls_accept_exactly_the_tokens_token_check_accepts(
    client: Client, change: Callable[[Device, str], None] | None
) -> None:
    device = DeviceFactory.create()
    token = device_token_issue(device=device)
    # A tablet in a meeting cannot be deleted: then the meeting is another tablet's.
    deleting = change is _registration_deleted
    in_meeting = DeviceFactory.create(customer=device.customer) if deleting else device
    meeting = ready_meeting([in_meeting])
    if change is not None:
        change(device, token)
    state, row = token_check(model=DeviceToken, token=token)
    for name, path in polls(meeting.pk).items():
        response = poll(client, path, token)
        refused = response.status_code == 403
        assert refused == (state is not TokenState.VALID), name
        if refused:
            assert error_of(response) == (403, "token"), name
        elif row is not None and row.device is None:
            assert error_of(response) == (404, "device"), name


@pytest.mark.django_db
def test_tablet_tokens_never_expire() -> None:
    # The polls' token rule is compiled once without a moment (conferences.polling): it holds
    # only while tablet tokens have no expiry.
    token = device_token_issue(device=DeviceFactory.create())
    far = timezone.now() + timedelta(days=36500)
    assert DeviceToken.objects.filter(DeviceToken.expired_by(far)).count() == 0
    assert token_check(model=DeviceToken, token=token)[0] is TokenState.VALID


def _request_boundary() -> None:
    """What Django does when a request starts (the test client leaves it out): a kept
    connection is due a health check again."""
    close_old_connections()
    assert connection.connection is not None
    assert not connection.health_check_done  # type: ignore[attr-defined]  # not in django-stubs


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_poll_on_a_kept_connection_pays_no_health_check(
    client: Client, tablet: TabletInMeeting, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[bool] = []
    real = connection.is_usable

    def counted() -> bool:
        checks.append(True)
        return real()

    poll(client, GETMEETING, tablet.token)  # the connection is open and kept
    monkeypatch.setattr(connection, "is_usable", counted)
    for path in polls(tablet.meeting.pk).values():
        _request_boundary()
        poll(client, path, tablet.token)
    assert checks == []
    # Any other request's first statement is health-checked, as Django does.
    _request_boundary()
    assert client.get("/iptv/flexcareconference/meeting").status_code in (401, 403, 405)
    assert Device.objects.count() == 1
    assert checks == [True]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_poll_on_a_connection_that_died_while_idle_is_answered(
    client: Client, tablet: TabletInMeeting
) -> None:
    for name, path in polls(tablet.meeting.pk).items():
        assert poll(client, GETMEETING, tablet.token).status_code == 200
        pid = connection.connection.info.backend_pid
        # The server ends the idle connection (a restart, a failover, an idle timeout).
        with psycopg.connect(**connection.get_connection_params()) as other:
            other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])  # waits
        _request_boundary()
        response = poll(client, path, tablet.token)
        assert response.status_code in (200, 404), (name, response.content)
        assert response.status_code == 200 or error_of(response) == (404, "command"), name
        assert connection.connection.info.backend_pid != pid


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_read_whose_prepared_plan_a_migration_outgrew_is_run_again() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE poll_probe (x integer)")
        cursor.execute("INSERT INTO poll_probe VALUES (7)")
    try:
        _request_boundary()
        assert read_row("SELECT x FROM poll_probe", []) == (7,)
        pid = connection.connection.info.backend_pid
        # A migration, from another connection, changes the type the plan returns.
        with psycopg.connect(**connection.get_connection_params()) as other:
            other.execute("ALTER TABLE poll_probe ALTER COLUMN x TYPE bigint")
        _request_boundary()
        assert read_row("SELECT x FROM poll_probe", []) == (7,)
        assert connection.connection.info.backend_pid != pid
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE poll_probe")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_read_that_times_out_is_not_run_again_and_keeps_its_connection() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 100")
    _request_boundary()
    pid = connection.connection.info.backend_pid
    with pytest.raises(OperationalError, match="statement timeout"):
        read_row("SELECT pg_sleep(1)", [])
    assert connection.connection.info.backend_pid == pid
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("100ms",)
        cursor.execute("RESET statement_timeout")


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "not-prepared"])
def test_the_polls_statements_are_prepared_unless_turned_off(
    client: Client, tablet: TabletInMeeting, settings: Any, prepared: bool
) -> None:
    settings.DATABASE_PREPARED_STATEMENTS = prepared
    connection.ensure_connection()
    connection.connection.execute("DEALLOCATE ALL")  # what earlier tests on it prepared
    # getmeeting and getcommands (an acknowledgement refused rolls back, and psycopg then
    # forgets what the connection prepared: the next poll prepares again).
    paths = polls(tablet.meeting.pk)
    with CaptureQueriesContext(connection) as logged:
        for _ in range(2):
            for name in ("getmeeting", "getcommands"):
                assert poll(client, paths[name], tablet.token).status_code == 200
    statements = [text for text in _prepared() if "devices_devicetoken" in text]
    assert len(statements) == (2 if prepared else 0)
    # Logged like any other query, also when run by name (the second round).
    texts = [query["sql"] for query in logged]
    assert None not in texts
    assert sum("devices_devicetoken" in text for text in texts) == 4
