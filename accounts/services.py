"""Writes for customers and employees. The admin, the API and commands call these."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib.auth import authenticate, user_logged_in
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from flexcare.errors import AccessDenied, Conflict, Invalid, ServiceError

from .access import AccessLevel, level_at_least
from .audit import audit_record
from .emails import email_normal_form
from .lockout import LockedOut, lockout_remaining, lockout_username
from .models import Customer, CustomerState, User, UserToken
from .tablet_settings import TabletSettings
from .tokens import last_use_record, token_issue, tokens_revoke

# A token's last use is recorded at most this often, so an API call is not also a write.
USER_TOKEN_TOUCH_INTERVAL = timedelta(seconds=60)


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
    actor: User | None = None,
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
    audit_record(actor=actor, action="customer.create", customer_id=customer.pk,
                 object_id=customer.pk, target=customer.name, **_audit_values(
                     {"is_reseller": is_reseller, "features": customer.features,
                      "state": state, "parent_reseller": parent_reseller}))
    return customer


def customer_check_parent(*, customer: Customer, parent: Customer | None) -> None:
    """A parent must be a reseller, and not the customer itself or one below it."""
    if parent is None:
        return
    if not parent.is_reseller:
        raise Invalid("parent_reseller", _("The parent must be a reseller."))
    if customer.tree_path and parent.tree_path.startswith(customer.tree_path):
        raise Invalid("parent_reseller", _("A customer cannot be moved below itself."))


def customer_check_reseller_flag(*, customer: Customer, is_reseller: bool | None = None) -> None:
    """A reseller with customers stays one (`is_reseller`: the value about to be saved)."""
    flag = customer.is_reseller if is_reseller is None else is_reseller
    if not flag and customer.pk and customer.children.exists():
        raise Invalid("is_reseller", _("A reseller with customers must stay a reseller."))


def require_meeting_customer(customer: Customer) -> None:
    """Tablets and meetings are for active customers with a meeting feature."""
    if customer.is_blocked:
        raise Conflict("customer", _("Customer is blocked"))
    if not customer.has_meeting_feature:
        raise Conflict("customer", _("Customer does not have IPTV"))


@transaction.atomic
def customer_update(*, customer: Customer, actor: User | None = None, **changes: Any) -> Customer:
    """Update fields; moving a customer under another reseller re-paths its whole subtree."""
    if "default_tablet_settings" in changes and isinstance(
        changes["default_tablet_settings"], TabletSettings
    ):
        changes["default_tablet_settings"] = changes["default_tablet_settings"].to_wire()
    if "features" in changes:
        changes["features"] = sorted(set(changes["features"]))
    # Lock the stored row: two concurrent moves of one subtree must not interleave.
    stored = Customer.objects.select_for_update().get(pk=customer.pk)
    old_path = customer.tree_path = stored.tree_path
    if "parent_reseller" in changes:
        customer_check_parent(customer=customer, parent=changes["parent_reseller"])
    # Against the stored row: the admin's form has already copied its values onto `customer`.
    changed = _changed(stored, changes)
    for field, value in changes.items():
        setattr(customer, field, value)
    customer_check_reseller_flag(customer=customer)
    new_path = _tree_path(customer)
    customer.tree_path = new_path
    customer.full_clean()
    customer.save()
    if new_path != old_path:
        Customer.objects.filter(tree_path__startswith=old_path).exclude(pk=customer.pk).update(
            tree_path=Concat(Value(new_path), Substr("tree_path", len(old_path) + 1))
        )
    if changed:
        audit_record(actor=actor, action="customer.update", customer_id=customer.pk,
                     object_id=customer.pk, target=customer.name, **changed)
    return customer


def check_grant(*, granter: User | None, level: str) -> None:
    """Nobody grants an access level above its own (None: the system itself)."""
    if granter is not None and not level_at_least(granter.access_level, level):
        raise AccessDenied(_("You cannot grant an access level above your own."))


def check_level_fits_customer(level: str, customer: Customer | None) -> None:
    if level == AccessLevel.RESELLER and (customer is None or not customer.is_reseller):
        raise Invalid("customer", _("A RESELLER user must belong to a reseller customer."))
    if level != AccessLevel.ADMIN and customer is None:
        raise Invalid("customer", _("Only platform admins may have no customer."))


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
    check_level_fits_customer(access_level, customer)
    user = User(
        email=email_normal_form(email),
        name=name,
        access_level=access_level,
        customer=customer,
        is_active=is_active,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    _audit_user(actor=created_by, action="user.create", user=user,
                details=_audit_values({"access_level": access_level, "is_active": is_active}))
    return user


@transaction.atomic
def user_update(*, user: User, changed_by: User | None, **changes: Any) -> User:
    """Change an employee's profile. Nobody raises a user above its own level or changes its
    own level, customer or enabled state. Disabling ends the user's API tokens and admin
    sessions for good: enabling it again does not bring them back."""
    if changed_by is not None and changed_by.pk == user.pk:
        for field in ("access_level", "customer", "is_active"):
            if field in changes and changes[field] != getattr(user, field):
                raise AccessDenied(_("You cannot change your own access level or customer."))
    check_grant(granter=changed_by, level=changes.get("access_level", user.access_level))
    if "email" in changes:  # as stored, so that a change of case alone is no change
        changes["email"] = email_normal_form(changes["email"])
    changed = _changed(user, changes)
    old_customer_id = user.customer_id
    disabling = user.is_active and changes.get("is_active") is False
    for field, value in changes.items():
        setattr(user, field, value)
    check_level_fits_customer(user.access_level, user.customer)
    user.full_clean(exclude=["password"])
    if disabling:
        # While disabled, Django refuses its sessions anyway; a new salt in their hash ends
        # them, so that they stay ended once the user is enabled again.
        user.session_salt = secrets.token_hex(16)
    user.save()
    if disabling:
        user_tokens_revoke(user=user)
    if changed:
        _audit_user(actor=changed_by, action="user.update", user=user, details=changed,
                    also_under=old_customer_id)
    return user


@transaction.atomic
def user_delete(*, user: User, deleted_by: User | None) -> None:
    """Delete an employee: platform admins only (accounts.access); everyone else disables
    one. The entries the user made keep naming them (AuditEntry.actor_email)."""
    _audit_user(actor=deleted_by, action="user.delete", user=user,
                details={"access_level": user.access_level})
    user.delete()


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the audit trail stores them (JSON): a related object by its name, which is
    what a reader understands; its id might also lie outside the reader's scope."""
    return {name: str(value) if isinstance(value, models.Model) else value
            for name, value in values.items()}


def _changed(obj: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """The fields that `changes` really changes, with their new values, for the audit trail,
    and under "previous" their values before (the trail reads "Access level Viewer →
    Manager")."""
    changed = {name: value for name, value in changes.items() if getattr(obj, name) != value}
    if not changed:
        return {}
    previous = _audit_values({name: getattr(obj, name) for name in changed})
    return {**_audit_values(changed), "previous": previous}


def _audit_user(*, actor: User | None, action: str, user: User, details: dict[str, Any],
                also_under: str | None = None) -> None:
    """Entries belong to a customer, so they are scoped like everything else: the user's, and
    (`also_under`) the one it was moved away from, whose owners should see it leave. Platform
    admins (no customer) are managed by platform admins only and show in the admin's history."""
    for customer_id in dict.fromkeys((user.customer_id, also_under)):
        if customer_id is not None:
            audit_record(actor=actor, action=action, customer_id=customer_id,
                         object_id=user.pk, target=user.email, **details)


def user_set_password(*, user: User, password: str) -> None:
    """Any new password, like this one, revokes the user's API tokens and ends its admin
    sessions (User.save)."""
    user.set_password(password)
    user.save(update_fields=["password"])


def user_login(*, request: HttpRequest, username: str, password: str) -> User:
    """Check an employee's credentials through Django's backends, so that failures are counted
    and the account locked out by django-axes (accounts.lockout), and record the login.

    A disabled employee gets the same answer as a wrong password; a blocked customer's
    employee, whose password was right, is told so."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise LockedOut(lockout_remaining(lockout_username(request, {"username": username})))
        raise ServiceError("credentials_invalid", _("Wrong e-mail or password"), status=401)
    if user.customer is not None and user.customer.is_blocked:
        raise AccessDenied(_("Customer is blocked"))
    # Resets the failure count (axes) and sets last_login, as an admin login does.
    user_logged_in.send(sender=type(user), request=request, user=user)
    return user


def user_token_issue(*, user: User, persistent: bool = False) -> str:
    """A new API token for the employee; the plain token is returned once and never stored."""
    return token_issue(model=UserToken, user=user, persistent=persistent)


def user_tokens_revoke(*, user: User, actor: User | None = None) -> int:
    """Logout, an owner's "revoke API tokens", a new password or disabling: every active
    token of the employee (persistent ones too) stops working at once."""
    revoked = tokens_revoke(tokens=UserToken.objects.filter(user=user))
    if actor is not None and actor.pk != user.pk:  # one's own logout is not worth an entry
        _audit_user(actor=actor, action="user.revoke_tokens", user=user,
                    details={"revoked": revoked})
    return revoked


def user_token_touch(*, token: UserToken) -> None:
    """Record a use of the token, at most once per USER_TOKEN_TOUCH_INTERVAL."""
    last_use_record(row=token, field="last_used_at", every=USER_TOKEN_TOUCH_INTERVAL)
