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


def customer_check_parent(*, customer: Customer, parent: Customer | None) -> None:
    """A parent must be a reseller, and not the customer itself or one below it."""
    if parent is None:
        return
    if not parent.is_reseller:
        raise Invalid("parent_reseller", "The parent must be a reseller.")
    if customer.tree_path and parent.tree_path.startswith(customer.tree_path):
        raise Invalid("parent_reseller", "A customer cannot be moved below itself.")


@transaction.atomic
def customer_update(*, customer: Customer, **changes: Any) -> Customer:
    """Update fields; moving a customer under another reseller re-paths its whole subtree."""
    if "default_tablet_settings" in changes and isinstance(
        changes["default_tablet_settings"], TabletSettings
    ):
        changes["default_tablet_settings"] = changes["default_tablet_settings"].to_wire()
    if "features" in changes:
        changes["features"] = sorted(set(changes["features"]))
    # Lock the stored row: two concurrent moves of one subtree must not interleave.
    old_path = Customer.objects.select_for_update().get(pk=customer.pk).tree_path
    customer.tree_path = old_path
    if "parent_reseller" in changes:
        customer_check_parent(customer=customer, parent=changes["parent_reseller"])
    for field, value in changes.items():
        setattr(customer, field, value)
    if not customer.is_reseller and customer.children.exists():
        raise Invalid("is_reseller", "A reseller with customers must stay a reseller.")
    new_path = _tree_path(customer)
    customer.tree_path = new_path
    customer.full_clean()
    customer.save()
    if new_path != old_path:
        Customer.objects.filter(tree_path__startswith=old_path).exclude(pk=customer.pk).update(
            tree_path=Concat(Value(new_path), Substr("tree_path", len(old_path) + 1))
        )
    return customer


def check_grant(*, granter: User | None, level: str) -> None:
    """Nobody grants an access level above its own (None: the system itself)."""
    if granter is not None and not level_at_least(granter.access_level, level):
        raise AccessDenied("You cannot grant an access level above your own.")


def _check_level_fits_customer(level: str, customer: Customer | None) -> None:
    if level == AccessLevel.RESELLER and (customer is None or not customer.is_reseller):
        raise Invalid("customer", "A RESELLER user must belong to a reseller customer.")
    if level != AccessLevel.ADMIN and customer is None:
        raise Invalid("customer", "Only platform admins may have no customer.")


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
    check_grant(granter=created_by, level=access_level)
    _check_level_fits_customer(access_level, customer)
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


def user_update(*, user: User, changed_by: User | None, **changes: Any) -> User:
    """Change an employee's profile. Nobody raises a user above its own level or changes its
    own level, customer or enabled state."""
    if changed_by is not None and changed_by.pk == user.pk:
        for field in ("access_level", "customer", "is_active"):
            if field in changes and changes[field] != getattr(user, field):
                raise AccessDenied("You cannot change your own access level or customer.")
    check_grant(granter=changed_by, level=changes.get("access_level", user.access_level))
    for field, value in changes.items():
        setattr(user, field, value)
    _check_level_fits_customer(user.access_level, user.customer)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_set_password(*, user: User, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
