"""The shared tenants world (tests/conftest.py): built once per module, yet every test finds it
as built, and a test that does not use it never finds it.

These tests depend on their order, which is the file's, except that the conftest moves tests
that do not use the world before those that do: the last test here runs first."""

from __future__ import annotations

import pytest

from accounts.models import Customer, User
from tests.tenants import Tenants

pytestmark = pytest.mark.django_db

BUILT: dict[str, str] = {}  # what the first test saw, for the next ones


def test_a_test_may_change_the_world(tenants: Tenants) -> None:
    BUILT.update({name: customer.pk for name, customer in tenants.customers.items()})
    tenants.users["ADMIN"].email = "changed@platform.test"
    Customer.objects.filter(name="A1").update(name="Changed")
    User.objects.filter(email="viewer@a1.test").delete()


def test_the_next_test_finds_the_world_as_built(tenants: Tenants) -> None:
    assert tenants.users["ADMIN"].email == "admin@platform.test"
    assert Customer.objects.get(pk=tenants.customers["A1"].pk).name == "A1"
    assert User.objects.filter(email="viewer@a1.test").exists()


def test_the_world_is_built_once_per_module(tenants: Tenants) -> None:
    assert {name: customer.pk for name, customer in tenants.customers.items()} == BUILT


def test_a_test_that_does_not_use_the_world_never_finds_it(db: None) -> None:
    assert not BUILT, "the tests on the world ran first: the order this file relies on broke"
    assert not Customer.objects.exists()
