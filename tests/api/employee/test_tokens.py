"""User tokens: hashed at rest, a sliding 15-minute idle expiry (recorded once a minute),
`persist`, logout of every token at once, and refusal for disabled or blocked employees."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import CustomerState, User, UserToken
from tests.api.conftest import error_of
from tests.api.employee.conftest import bearer
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

VALIDATE = "/auth/validateToken"


def login(api, email: str, persist: bool = False) -> dict:
    response = api.post("/auth/login", {"username": email, "password": PASSWORD,
                                        "persist": persist})
    assert response.status_code == 200, response.content
    return response.json()


def row_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def row(token: str) -> UserToken:
    return UserToken.objects.get(digest=row_digest(token))


def validate(api, token: str):
    return api.get(VALIDATE, {"token": token})


def test_login_answers_the_token_and_who_the_employee_is(api, tenants):
    user = tenants.user("MANAGER@A1")
    data = login(api, user.email.upper())
    assert set(data) == {"token", "expiresInMinutes", "employee", "customer", "accessLevel"}
    assert (data["expiresInMinutes"], data["employee"], data["customer"], data["accessLevel"]) \
        == (15, user.pk, user.customer_id, "MANAGER")
    assert login(api, user.email, persist=True)["expiresInMinutes"] == -1
    assert validate(api, data["token"]).json() == {
        "success": True, "employee": user.pk, "customer": user.customer_id,
        "accessLevel": "MANAGER"}
    admin = login(api, tenants.user("ADMIN").email)
    assert (admin["customer"], admin["accessLevel"]) == (None, "ADMIN")


def test_tokens_are_stored_only_as_a_digest_and_a_prefix(api, tenants):
    token = login(api, tenants.user("VIEWER@A1").email)["token"]
    assert row(token).prefix == token[:10]
    assert not UserToken.objects.filter(prefix=token).exists()


def test_the_expiry_slides_with_use_and_ends_after_15_idle_minutes(api, tenants):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        token = login(api, tenants.user("VIEWER@A1").email)["token"]
        for _ in range(3):  # used every 14 minutes: it never expires
            clock.shift(timedelta(minutes=14))
            assert validate(api, token).status_code == 200
        clock.shift(timedelta(minutes=15))
        assert error_of(validate(api, token)) == (401, "expired")
        assert error_of(api.get("/flexcare/videochat/meetings", **bearer(token))) == (
            401, "expired")


def test_a_use_is_recorded_at_most_once_a_minute(api, tenants, django_assert_num_queries):
    """The documented precision: a token expires between 14 and 15 minutes after its real last
    use, because a use within a minute of the recorded one is not written."""
    with time_machine.travel(timezone.now(), tick=False) as clock:
        token = login(api, tenants.user("VIEWER@A1").email)["token"]
        issued = row(token).last_used_at
        clock.shift(timedelta(seconds=59))
        with django_assert_num_queries(1):  # the token lookup; no write
            assert validate(api, token).status_code == 200
        assert row(token).last_used_at == issued
        clock.shift(timedelta(minutes=14, seconds=1))  # 15 minutes after the recorded use
        assert error_of(validate(api, token)) == (401, "expired")


def test_a_use_after_a_minute_is_written_once(api, tenants, django_assert_num_queries):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        token = login(api, tenants.user("VIEWER@A1").email)["token"]
        clock.shift(timedelta(seconds=60))
        with django_assert_num_queries(2):  # the lookup and the write
            validate(api, token)
        assert row(token).last_used_at == timezone.now()


def test_a_persistent_token_never_expires(api, tenants):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        token = login(api, tenants.user("VIEWER@A1").email, persist=True)["token"]
        clock.shift(timedelta(days=400))
        assert validate(api, token).status_code == 200


def test_logout_revokes_every_token_of_the_employee_at_once(api, tenants):
    email = tenants.user("MANAGER@A1").email
    first, second = login(api, email)["token"], login(api, email, persist=True)["token"]
    assert api.get("/auth/logout", **bearer(first)).json() == {"success": True}
    for token in (first, second, tenants.user_tokens["MANAGER@A1"]):
        assert error_of(validate(api, token)) == (401, "invalid_token")
    assert error_of(api.get("/auth/logout", **bearer(first))) == (401, "invalid_token")
    assert validate(api, tenants.user_tokens["MANAGER@B1"]).status_code == 200


def test_logout_takes_the_token_in_the_query_too(api, tenants):
    token = tenants.user_tokens["VIEWER@B1"]
    assert api.get("/auth/logout", {"token": token}).status_code == 200
    assert error_of(validate(api, token)) == (401, "invalid_token")


def test_a_disabled_employee_cannot_log_in_or_use_its_token(api, tenants):
    user = tenants.user("MANAGER@A1")
    User.objects.filter(pk=user.pk).update(is_active=False)
    refused = api.post("/auth/login", {"username": user.email, "password": PASSWORD})
    assert error_of(refused) == (401, "credentials_invalid")
    assert error_of(validate(api, tenants.user_tokens["MANAGER@A1"])) == (401, "invalid_token")


def test_a_blocked_customers_employee_cannot_log_in_or_use_its_token(api, tenants):
    user = tenants.user("RESELLER@Reseller A")
    type(user.customer).objects.filter(pk=user.customer_id).update(state=CustomerState.BLOCKED)
    refused = api.post("/auth/login", {"username": user.email, "password": PASSWORD})
    assert error_of(refused) == (403, "access_denied")
    token = tenants.user_tokens["RESELLER@Reseller A"]
    assert error_of(validate(api, token)) == (401, "invalid_token")
    assert error_of(api.get("/flexcare/videochat/meetings", **bearer(token))) == (
        401, "invalid_token")


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer nonsense", "Token x", "Basic eDp5"])
def test_a_missing_or_unknown_token_is_401_invalid_token(api, tenants, header):
    response = api.get("/flexcare/videochat/meetings", HTTP_AUTHORIZATION=header)
    assert error_of(response) == (401, "invalid_token")
    assert response["WWW-Authenticate"] == 'Bearer realm="flexcare"'


def test_only_the_auth_calls_take_the_token_from_the_query(api, tenants):
    token = tenants.user_tokens["ADMIN"]
    assert validate(api, token).status_code == 200
    response = api.get("/flexcare/videochat/meetings", {"token": token})
    assert error_of(response) == (401, "invalid_token")


def test_a_tablet_token_is_not_a_user_token(api, tenants):
    assert error_of(validate(api, tenants.tokens["A1"])) == (401, "invalid_token")


def test_dead_tokens_are_purged_a_day_later_and_live_ones_kept(api, tenants):
    from accounts.tasks import purge_tokens

    email = tenants.user("VIEWER@A1").email
    with time_machine.travel(timezone.now(), tick=False) as clock:
        idle, persistent, revoked = (login(api, email)["token"],
                                     login(api, email, persist=True)["token"],
                                     login(api, tenants.user("MANAGER@A1").email)["token"])
        api.get("/auth/logout", **bearer(revoked))
        clock.shift(timedelta(hours=23))
        assert purge_tokens.delay().get() == 0
        assert error_of(validate(api, idle)) == (401, "expired")  # still told apart from unknown
        clock.shift(timedelta(hours=1, minutes=16))
        before = UserToken.objects.count()
        assert purge_tokens.delay().get() == before - UserToken.objects.count() > 0
        assert not UserToken.objects.filter(digest__in=[row_digest(idle), row_digest(revoked)])
        assert error_of(validate(api, idle)) == (401, "invalid_token")
        assert validate(api, persistent).status_code == 200
