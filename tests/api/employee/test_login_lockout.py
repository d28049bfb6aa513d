"""Employee login: wrong credentials, the account lockout after repeated failures (django-axes,
on the API and in the admin) and its recovery, and the per-address throttle."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from tests.api.conftest import error_of
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/auth/login"


WRONG = "wrong-password"


def attempt(api, email: str, password: str = WRONG, **extra):
    return api.post(LOGIN, {"username": email, "password": password}, **extra)


def fail(api, email: str, times: int) -> None:
    for _ in range(times):
        assert error_of(attempt(api, email)) == (401, "credentials_invalid")


@pytest.mark.parametrize(("body", "expected"), [
    ({"username": "viewer@a1.test", "password": "nope"}, (401, "credentials_invalid")),
    ({"username": "nobody@a1.test", "password": PASSWORD}, (401, "credentials_invalid")),
    ({"password": PASSWORD}, (422, "username")),
    ({"username": "viewer@a1.test"}, (422, "password")),
    ({"username": "viewer@a1.test", "password": PASSWORD, "persist": "maybe"},
     (422, "persist")),
    ("[]", (400, "bad_request")),
])
def test_login_errors(api, tenants, body, expected):
    assert error_of(api.post(LOGIN, body)) == expected


def test_a_form_encoded_login_works(client, tenants):
    body = urlencode({"username": "viewer@a1.test", "password": PASSWORD, "persist": "true"})
    response = client.post(LOGIN, body, content_type="application/x-www-form-urlencoded")
    assert response.json()["expiresInMinutes"] == -1


def test_the_account_is_locked_after_repeated_failures(api, tenants):
    limit = settings.AXES_FAILURE_LIMIT
    fail(api, "viewer@a1.test", limit - 1)
    locked = attempt(api, "VIEWER@a1.test ")  # case and spaces do not start a fresh count
    assert error_of(locked) == (429, "rate_limited")
    assert 890 <= int(locked["Retry-After"]) <= 901
    # Even the right password is refused now; other accounts are not affected.
    assert error_of(attempt(api, "viewer@a1.test", PASSWORD)) == (429, "rate_limited")
    assert attempt(api, "manager@a1.test", PASSWORD).status_code == 200


def test_the_lockout_ends_after_the_cool_off_and_tries_do_not_extend_it(api, tenants):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail(api, "viewer@a1.test", settings.AXES_FAILURE_LIMIT - 1)
        assert error_of(attempt(api, "viewer@a1.test")) == (429, "rate_limited")
        clock.shift(timedelta(minutes=10))
        again = attempt(api, "viewer@a1.test", PASSWORD)
        assert error_of(again) == (429, "rate_limited")
        assert int(again["Retry-After"]) == 301
        clock.shift(timedelta(seconds=301))
        assert attempt(api, "viewer@a1.test", PASSWORD).status_code == 200


def test_a_successful_login_resets_the_count(api, tenants):
    fail(api, "viewer@a1.test", settings.AXES_FAILURE_LIMIT - 1)
    assert attempt(api, "viewer@a1.test", PASSWORD).status_code == 200
    fail(api, "viewer@a1.test", settings.AXES_FAILURE_LIMIT - 1)


def test_the_limit_and_cool_off_come_from_settings(api, tenants, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail(api, "viewer@a1.test", 1)
        locked = attempt(api, "viewer@a1.test")
        assert (error_of(locked), locked["Retry-After"]) == ((429, "rate_limited"), "61")
        clock.shift(timedelta(seconds=61))
        assert attempt(api, "viewer@a1.test", PASSWORD).status_code == 200


def test_the_admin_login_is_locked_out_too(client, tenants):
    form = {"username": "manager@a1.test", "password": "wrong-password", "next": "/admin/"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/admin/login/", form).status_code == 200  # the form again
    locked = client.post("/admin/login/", form)
    assert locked.status_code == 429
    assert "Account locked" in locked.content.decode()
    right = client.post("/admin/login/", {**form, "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_in_the_admin_and_the_api_share_one_count(client, api, tenants):
    form = {"username": "manager@a1.test", "password": "wrong-password"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/admin/login/", form)
    assert error_of(attempt(api, "manager@a1.test")) == (429, "rate_limited")


def test_logins_are_throttled_per_client_address(api, tenants):
    from rest_framework.settings import api_settings

    allowed = int(str(api_settings.DEFAULT_THROTTLE_RATES["employee_login"]).split("/")[0])
    for n in range(allowed):  # a new address each, so no account is locked
        attempt(api, f"nobody{n}@a1.test", REMOTE_ADDR="10.0.0.1")
    throttled = attempt(api, "viewer@a1.test", PASSWORD, REMOTE_ADDR="10.0.0.1")
    assert error_of(throttled) == (429, "rate_limited")
    assert int(throttled["Retry-After"]) > 0
    assert attempt(api, "viewer@a1.test", PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 200


# Spellings of viewer@a1.test that reach the account (look-alike letters folded, case and
# surrounding spaces ignored): one failure count between them.
SAME_ACCOUNT = ["viewer@a1.te\u017ft",  # long s
                "\uff56\uff49\uff45\uff57\uff45\uff52@a1.test",  # fullwidth "viewer"
                "VIEWER@A1.Test", "  viewer@a1.test "]
DOTLESS_I = "v\u0131ewer@a1.test"  # PostgreSQL's UPPER folds it to I; it is another address


@pytest.mark.postgres
def test_look_alike_spellings_share_the_accounts_failure_count(api, tenants):
    assert len(SAME_ACCOUNT) == settings.AXES_FAILURE_LIMIT - 1
    for spelling in SAME_ACCOUNT:
        assert error_of(attempt(api, spelling)) == (401, "credentials_invalid")
    assert error_of(attempt(api, "viewer@a1.test")) == (429, "rate_limited")
    assert error_of(attempt(api, SAME_ACCOUNT[1], PASSWORD)) == (429, "rate_limited")


@pytest.mark.postgres
def test_every_spelling_of_an_account_logs_in(api, tenants):
    for spelling in SAME_ACCOUNT:
        assert attempt(api, spelling, PASSWORD).status_code == 200


@pytest.mark.postgres
def test_a_dotless_i_does_not_reach_the_account_in_the_api_or_the_admin(api, client, tenants):
    assert error_of(attempt(api, DOTLESS_I, PASSWORD)) == (401, "credentials_invalid")
    client.post("/admin/login/", {"username": DOTLESS_I, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert attempt(api, "viewer@a1.test", PASSWORD).status_code == 200


def test_the_admin_login_is_throttled_per_client_address_together_with_the_api(
        client, api, tenants):
    from rest_framework.settings import api_settings

    allowed = int(str(api_settings.DEFAULT_THROTTLE_RATES["employee_login"]).split("/")[0])
    for n in range(allowed - 1):  # a new address each, so no account is locked
        form = {"username": f"nobody{n}@a1.test", "password": WRONG}
        assert client.post("/admin/login/", form, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert error_of(attempt(api, "nobody@a1.test", REMOTE_ADDR="10.0.0.1")) == (
        401, "credentials_invalid")  # the last one allowed, on the API
    form = {"username": "viewer@a1.test", "password": PASSWORD, "next": "/admin/"}
    refused = client.post("/admin/login/", form, REMOTE_ADDR="10.0.0.1")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    page = refused.content.decode()
    assert "Too many login attempts from your address. Try again in 1 minute." in page
    assert 'id="login-form"' in page
    assert 'value="viewer@a1.test"' in page
    assert "_auth_user_id" not in client.session
    assert error_of(attempt(api, "viewer@a1.test", PASSWORD, REMOTE_ADDR="10.0.0.1")) == (
        429, "rate_limited")
    assert client.post("/admin/login/", form, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_the_admin_login_throttle_speaks_danish_and_trusts_only_the_configured_proxies(
        client, tenants, settings):
    from rest_framework.settings import api_settings

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    allowed = int(str(api_settings.DEFAULT_THROTTLE_RATES["employee_login"]).split("/")[0])
    # Behind one proxy, the client is the address the proxy appended: what the client itself
    # put before it changes nothing.
    via_proxy = {"REMOTE_ADDR": "10.0.0.9", "HTTP_ACCEPT_LANGUAGE": "da"}
    for n in range(allowed):
        form = {"username": f"nobody{n}@a1.test", "password": WRONG}
        client.post("/admin/login/", form, HTTP_X_FORWARDED_FOR=f"10.1.1.{n}, 203.0.113.5",
                    **via_proxy)
    form = {"username": "viewer@a1.test", "password": PASSWORD, "next": "/admin/"}
    refused = client.post("/admin/login/", form, HTTP_X_FORWARDED_FOR="203.0.113.5",
                          **via_proxy)
    assert refused.status_code == 429
    assert "For mange loginforsøg fra din adresse. Prøv igen om 1 minut." in (
        refused.content.decode())
    other = client.post("/admin/login/", form, HTTP_X_FORWARDED_FOR="203.0.113.6", **via_proxy)
    assert other.status_code == 302
