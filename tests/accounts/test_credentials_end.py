"""A new password, by any path, and disabling a user end every API token of that user
(persistent ones too) and its other admin sessions; the session that changed the password
stays signed in. Enabling the user again brings neither back."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from accounts.services import user_set_password, user_token_issue
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a-new-password-456"
NEW_PASSWORD_FORM = {"password1": NEW, "password2": NEW, "usable_password": "true"}


def signed_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def signed_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


class Access:
    """What a user may have open elsewhere: an admin session and API tokens."""

    def __init__(self, user: User) -> None:
        self.session = signed_in_client(user)
        self.tokens = [user_token_issue(user=user), user_token_issue(user=user, persistent=True)]
        assert self.alive() == (True, [True, True])

    def alive(self) -> tuple[bool, list[bool]]:
        api = Client()
        return signed_in(self.session), [
            api.get("/auth/validateToken", {"token": token}).status_code == 200
            for token in self.tokens]


def test_the_service_ends_every_token_and_session(tenants):
    viewer = tenants.user("VIEWER@A1")
    elsewhere = Access(viewer)
    user_set_password(user=viewer, password=NEW)
    assert elsewhere.alive() == (False, [False, False])


def test_an_employees_own_change_in_the_admin_keeps_only_the_changing_session(tenants):
    owner = tenants.user("OWNER@A1")
    here, elsewhere = signed_in_client(owner), Access(owner)
    changed = here.post("/admin/password_change/", {
        "old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert changed.status_code == 302
    assert signed_in(here)
    assert elsewhere.alive() == (False, [False, False])
    other_employees = Client().get("/auth/validateToken",
                                   {"token": tenants.user_tokens["MANAGER@A1"]})
    assert other_employees.status_code == 200


@pytest.mark.parametrize("form", [
    NEW_PASSWORD_FORM, {"usable_password": "false", "unset-password": "1"},
], ids=["new password", "password login disabled"])
def test_an_owners_set_password_form_ends_the_users_tokens_and_sessions(tenants, form):
    owner, viewer = tenants.user("OWNER@A1"), tenants.user("VIEWER@A1")
    here, elsewhere = signed_in_client(owner), Access(viewer)
    response = here.post(f"/admin/accounts/user/{viewer.pk}/password/", form)
    assert response.status_code == 302, response.content
    assert signed_in(here)
    assert elsewhere.alive() == (False, [False, False])


def test_manage_py_changepassword_ends_every_token_and_session(tenants, monkeypatch):
    viewer = tenants.user("VIEWER@A1")
    elsewhere = Access(viewer)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW)
    call_command("changepassword", viewer.email, stdout=None)
    assert elsewhere.alive() == (False, [False, False])
    assert Client().login(username=viewer.email, password=NEW)


def set_enabled(owner_client: Client, user: User, enabled: bool) -> None:
    form = {"email": user.email, "name": user.name, "customer": user.customer_id,
            "access_level": user.access_level, **({"is_active": "on"} if enabled else {})}
    response = owner_client.post(f"/admin/accounts/user/{user.pk}/change/", form)
    assert response.status_code == 302, response.content
    assert User.objects.get(pk=user.pk).is_active is enabled


def test_disabling_ends_tokens_and_sessions_and_enabling_does_not_bring_them_back(tenants):
    owner, viewer = signed_in_client(tenants.user("OWNER@A1")), tenants.user("VIEWER@A1")
    elsewhere = Access(viewer)
    set_enabled(owner, viewer, enabled=False)
    assert elsewhere.alive() == (False, [False, False])
    set_enabled(owner, viewer, enabled=True)
    assert elsewhere.alive() == (False, [False, False])
    assert Client().login(username=viewer.email, password=PASSWORD)  # the password stays


def test_a_hash_upgrade_at_login_is_not_a_new_password(tenants, settings):
    """Django re-hashes a password at login when the preferred hasher changed; that must not
    log the employee out of everything."""
    viewer = tenants.user("VIEWER@A1")
    token = tenants.user_tokens["VIEWER@A1"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 *settings.PASSWORD_HASHERS]
    api = Client()
    login = api.post("/auth/login", {"username": viewer.email, "password": PASSWORD},
                     content_type="application/json")
    assert login.status_code == 200
    assert User.objects.get(pk=viewer.pk).password.startswith("pbkdf2_sha256$")
    assert api.get("/auth/validateToken", {"token": token}).status_code == 200

