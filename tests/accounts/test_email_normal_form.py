"""E-mail addresses are stored in the normal form logins look them up by (accounts.emails):
a look-alike spelling of an existing address is that address, and the migration brings
existing rows into the form or names the ones it cannot."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.test import Client

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db



def normalise_emails() -> None:
    """What migration 0007 runs, on the current models."""
    migration = importlib.import_module("accounts.migrations.0007_user_email_normal_form")
    migration.normalise_emails(apps, None)


def add_user(tenants, email: str):
    client = Client()
    client.force_login(tenants.user("OWNER@A1"))
    return client.post("/admin/accounts/user/add/", {
        "email": email, "name": "", "customer": tenants.customers["A1"].pk,
        "access_level": "VIEWER", "usable_password": "false"})


def test_the_admin_stores_an_address_in_its_normal_form(tenants):
    assert add_user(tenants, " Nurse.Hansen@A1.\uff34EST ").status_code == 302
    assert User.objects.filter(email="nurse.hansen@a1.test").exists()


def test_a_look_alike_of_an_existing_address_is_refused_as_that_address(tenants):
    response = add_user(tenants, "Viewer@A1.te\u017ft")  # long s
    assert response.status_code == 200
    assert "User with this E-mail already exists." in response.content.decode()
    assert User.objects.filter(email__startswith="viewer@a1").count() == 1


def test_the_migration_normalises_stored_addresses(db):
    user = UserFactory.create(email="anna@a1.test")
    User.objects.filter(pk=user.pk).update(email=" \uff21NNA@a1.test")
    normalise_emails()
    assert User.objects.get(pk=user.pk).email == "anna@a1.test"


def test_the_migration_names_addresses_that_would_become_one_and_changes_nothing(db):
    UserFactory.create(email="anna@a1.test")
    other = UserFactory.create(email="other@a1.test")
    User.objects.filter(pk=other.pk).update(email="\uff41nna@a1.test")
    changed = UserFactory.create(email="bob@a1.test")
    User.objects.filter(pk=changed.pk).update(email="BOB@a1.test")
    with pytest.raises(RuntimeError, match=re.escape("anna@a1.test and \uff41nna@a1.test")):
        normalise_emails()
    assert User.objects.get(pk=changed.pk).email == "BOB@a1.test"


def test_an_address_changed_in_the_admin_is_stored_in_its_normal_form(tenants):
    client = Client()
    client.force_login(tenants.user("OWNER@A1"))
    viewer = tenants.user("VIEWER@A1")
    response = client.post(f"/admin/accounts/user/{viewer.pk}/change/", {
        "email": "Nurse@A1.\uff34EST", "name": "", "customer": viewer.customer_id,
        "access_level": "VIEWER", "is_active": "on"})
    assert response.status_code == 302, response.content
    assert User.objects.get(pk=viewer.pk).email == "nurse@a1.test"
