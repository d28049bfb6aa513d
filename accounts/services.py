"""Writes for customers and employees. The admin, the API and commands call these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from devices.tablet_settings import TabletSettings
from flexcare.errors import AccessDenied, Invalid

from .access import AccessLevel, level_at_least
from .models import Customer, CustomerState, User


def _tree_path(customer: Customer) -> str:
    parent = customer.parent_reseller
    return f"{parent.tree_path if parent else '/'}{customer.pk}/"


@transaction.atomic
def customer_create(
    *,
    name: str,
    parent_reseller: Customer | None = None,
    is_reseller: bool = False,
    features: Iterable[str] = (),
    default_tablet_settings: TabletSettings | None = None,
    state: str = CustomerState.ACTIVE,
) -> Customer:
    customer = Customer(
        name=name,
        parent_reseller=parent_reseller,
        is_reseller=is_reseller,
        features=sorted(set(features)),
        default_tablet_settings=(default_tablet_settings or TabletSettings()).to_wire(),
        state=state,
    )
    customer.tree_path = _tree_path(customer)
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, **changes: Any) -> Customer:
    """Update fields; moving a customer under another reseller re-paths its whole subtree."""
    if "default_tablet_settings" in changes and isinstance(
        changes["default_tablet_settings"], TabletSettings
    ):
        changes["default_tablet_settings"] = changes["default_tablet_settings"].to_wire()
    if "features" in changes:
        changes["features"] = sorted(set(changes["features"]))
    old_path = customer.tree_path
    for field, value in changes.items():
        setattr(customer, field, value)
    new_path = _tree_path(customer)
    if customer.parent_reseller_id and new_path.startswith(old_path):
        raise Invalid("parent_reseller", "A customer cannot be moved below itself.")
    customer.tree_path = new_path
    customer.full_clean()
    customer.save()
    if new_path != old_path:
        Customer.objects.filter(tree_path__startswith=old_path).exclude(pk=customer.pk).update(
            tree_path=Concat(Value(new_path), Substr("tree_path", len(old_path) + 1))
        )
    return customer


def user_create(
    *,
    email: str,
    password: str | None,
    access_level: str = AccessLevel.VIEWER,
    customer: Customer | None = None,
    name: str = "",
    is_active: bool = True,
    created_by: User | None = None,
) -> User:
    """Create an employee; `created_by` (a person) may not grant above its own level."""
    if created_by is not None and not level_at_least(created_by.access_level, access_level):
        raise AccessDenied("You cannot grant an access level above your own.")
    if access_level == AccessLevel.RESELLER and (customer is None or not customer.is_reseller):
        raise Invalid("customer", "A RESELLER user must belong to a reseller customer.")
    if access_level != AccessLevel.ADMIN and customer is None:
        raise Invalid("customer", "Only platform admins may have no customer.")
    user = User(
        email=User.objects.normalize_email(email).lower(),
        name=name,
        access_level=access_level,
        customer=customer,
        is_active=is_active,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_set_password(*, user: User, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
