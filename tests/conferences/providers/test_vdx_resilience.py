"""VdxProvider's retries, error classes, OAuth2 tokens and logging, over real HTTP."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from conferences.providers import BookingState, ProviderError
from conferences.providers.vdx import VdxProvider
from devtools.vdx_fake_server import CLIENT_SECRET

from .conftest import configure
from .test_vdx_booking import book

POST = "POST /videoapi/meetings"


def test_server_errors_are_retried_and_the_room_booked_once(vdx, fake_vdx):
    fake_vdx.set_faults(fail_next=2)

    booking_id = book(vdx)

    state = fake_vdx.state()
    assert state["requests"][POST] == 3
    assert list(state["bookings"]) == [booking_id]


def test_the_try_again_error_is_retried(vdx, fake_vdx):
    fake_vdx.set_faults(fail_next=1, fail_status=400, fail_code=24)

    book(vdx)

    assert fake_vdx.state()["requests"][POST] == 2


def test_exhausted_retries_raise_a_retryable_error(vdx, fake_vdx):
    fake_vdx.set_faults(fail_next=10)

    with pytest.raises(ProviderError) as caught:
        book(vdx)

    assert caught.value.retryable is True
    assert fake_vdx.state()["requests"][POST] == 4  # the first attempt and VDX_RETRIES=3


def test_timeouts_are_retried_then_reported_as_retryable(settings, fake_vdx):
    configure(settings, fake_vdx, VDX_TIMEOUT_SECONDS=0.25, VDX_RETRIES=2)
    fake_vdx.set_faults(timeout_next=10, timeout_seconds=0.6)

    with pytest.raises(ProviderError) as caught:
        book(VdxProvider.from_settings())

    assert caught.value.retryable is True
    assert "Timeout" in str(caught.value)
    assert fake_vdx.state()["requests"][POST] == 3


def test_an_unreachable_vdx_is_retryable(settings, fake_vdx):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    configure(settings, fake_vdx, VDX_API_URL=f"http://127.0.0.1:{port}/videoapi",
              VDX_TOKEN_URL=f"http://127.0.0.1:{port}/oauth/token")

    with pytest.raises(ProviderError) as caught:
        book(VdxProvider.from_settings())

    assert caught.value.retryable is True


@pytest.mark.parametrize(("status", "code"), [(403, None), (400, 30), (406, 12)])
def test_client_errors_are_not_retried(vdx, fake_vdx, status, code):
    fake_vdx.set_faults(fail_next=1, fail_status=status, fail_code=code)

    with pytest.raises(ProviderError) as caught:
        book(vdx)

    assert caught.value.retryable is False
    assert f"HTTP {status}" in str(caught.value)
    assert fake_vdx.state()["requests"][POST] == 1


def test_the_token_is_fetched_once_and_shared_by_providers(vdx, fake_vdx):
    booking_id = book(vdx)
    vdx.status(booking_id)
    VdxProvider.from_settings().end(booking_id)  # a new provider per task, as get_provider()

    assert fake_vdx.state()["tokens_issued"] == 1


def test_the_token_is_renewed_shortly_before_it_expires(vdx, fake_vdx):
    with time_machine.travel(datetime.now(UTC), tick=True) as traveller:
        booking_id = book(vdx)
        traveller.shift(timedelta(seconds=3600 - 60))
        vdx.status(booking_id)
        assert fake_vdx.state()["tokens_issued"] == 1
        traveller.shift(timedelta(seconds=40))  # within the last 30 s of its hour
        vdx.status(booking_id)

    assert fake_vdx.state()["tokens_issued"] == 2


def test_a_refused_token_is_replaced_once(vdx, fake_vdx):
    booking_id = book(vdx)
    fake_vdx.revoke_tokens()

    assert vdx.status(booking_id).state is BookingState.OK
    assert fake_vdx.state()["tokens_issued"] == 2


def test_wrong_client_credentials_are_not_retried(settings, fake_vdx):
    configure(settings, fake_vdx, VDX_CLIENT_SECRET="wrong")

    with pytest.raises(ProviderError) as caught:
        book(VdxProvider.from_settings())

    assert caught.value.retryable is False
    assert fake_vdx.state()["requests"]["POST /oauth/token"] == 1
    assert POST not in fake_vdx.state()["requests"]


def test_nothing_secret_reaches_logs_or_errors(vdx, fake_vdx, caplog):
    caplog.set_level(logging.DEBUG)
    state = fake_vdx.server.state
    fake_vdx.set_faults(fail_next=1)
    booking_id = book(vdx)
    booking = vdx.status(booking_id).booking
    tokens = set(state.tokens)
    fake_vdx.revoke_tokens()
    fake_vdx.set_faults(provision_problems=True)
    failed = vdx.status(book(vdx, external_id="65f1c0ffee00000000000002"))
    vdx.end(booking_id)
    fake_vdx.set_faults(fail_next=10)
    with pytest.raises(ProviderError) as caught:
        vdx.status(booking_id)
    tokens |= set(state.tokens)

    secrets = {CLIENT_SECRET, booking.desktop_link, booking.clinical_link, booking.mobile_link,
               *tokens}
    secrets |= {str(pin) for m in state.meetings.values() for pin in (m.guest_pin, m.host_pin)}
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "VDX POST /meetings" in logged  # the method and path are there
    for secret in secrets:
        assert secret not in logged
        assert secret not in failed.error
        assert secret not in str(caught.value)
    assert booking.pin not in repr(booking)


def test_from_settings_requires_an_api_url(settings, fake_vdx):
    configure(settings, fake_vdx, VDX_API_URL="")
    with pytest.raises(ImproperlyConfigured, match="VDX_API_URL"):
        VdxProvider.from_settings()


def test_from_settings_requires_credentials(settings, fake_vdx):
    configure(settings, fake_vdx, VDX_TOKEN_URL="")
    with pytest.raises(ImproperlyConfigured, match="VDX_CLIENT_CERT"):
        VdxProvider.from_settings()


def test_from_settings_rejects_an_unknown_link_placeholder(settings, fake_vdx):
    configure(settings, fake_vdx, VDX_MOBILE_LINK_TEMPLATE="https://m.example/{shortId}")
    with pytest.raises(ImproperlyConfigured, match="VDX_MOBILE_LINK_TEMPLATE"):
        VdxProvider.from_settings()


def test_from_settings_reports_unreadable_certificate_files(settings, fake_vdx, tmp_path):
    configure(settings, fake_vdx, VDX_CLIENT_CERT=str(tmp_path / "missing.pem"))
    with pytest.raises(ImproperlyConfigured, match="VDX_CLIENT_CERT"):
        VdxProvider.from_settings()
