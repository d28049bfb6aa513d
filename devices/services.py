"""Writes for tablets: registration, settings, login tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import Customer
from accounts.services import require_meeting_customer
from accounts.tablet_settings import TabletSettings
from accounts.tokens import last_use_record, token_issue, tokens_revoke
from flexcare.errors import AccessDenied, Conflict, NotFound, ServiceError, lazy_format

from .login_limit import login_failure_record, login_limit_check
from .models import Device, DeviceToken


def device_create(
    *,
    customer: Customer,
    name: str,
    serial: str,
    device_id: str,
    technical_room_number: str = "",
    tablet_settings: TabletSettings | None = None,
    actor: Any = None,
) -> Device:
    """Register a tablet, open for login for TABLET_CLAIM_MINUTES; its settings default to the
    customer's tablet defaults."""
    require_meeting_customer(customer)
    device = Device(
        customer=customer,
        name=name,
        serial=serial,
        device_id=device_id,
        technical_room_number=technical_room_number,
        claim_open_until=_claim_window_end(),
    )
    device.apply_settings(tablet_settings or customer.tablet_defaults)
    device.full_clean()
    device.save()
    audit_record(actor=actor, action="device.create", customer_id=customer.pk,
                 object_id=device.pk, target=str(device))
    return device


@transaction.atomic
def device_update(*, device: Device, actor: Any = None, **changes: Any) -> Device:
    """Edit a tablet's name, numbers and meeting settings. Its customer never changes: a
    tablet moved between customers would carry one hospital's meetings into another. Atomic:
    the meetings that show the tablet learn of the change (on save) in the same transaction."""
    if "customer" in changes and changes.pop("customer").pk != device.customer_id:
        raise Conflict("customer", _("A tablet cannot move to another customer"))
    for field, value in changes.items():
        setattr(device, field, value)
    device.full_clean()
    device.save()
    audit_record(actor=actor, action="device.update", customer_id=device.customer_id,
                 object_id=device.pk, target=str(device), fields=sorted(changes))
    return device


def device_check_deletable(*, device: Device) -> None:
    """A tablet that has taken part in a meeting is kept: the meeting's history names it."""
    if device.participations.exists():
        raise Conflict("device", lazy_format(
            _("%(device)s has taken part in meetings and is kept for their history; reset its "
              "token to log it out instead."), device=str(device)))


@transaction.atomic
def device_delete(*, device: Device, actor: Any = None) -> None:
    """Delete a tablet's registration, the only way one is retired, with an audit entry. Its
    tokens stay, so a tablet still logged in is told "device not found"
    (docs/api.md#authentication)."""
    # meeting_create locks its tablets too: no meeting can take this one meanwhile.
    locked = Device.objects.select_for_update().filter(pk=device.pk).first()
    if locked is None:
        raise NotFound("device", _("Device not found"))
    device = locked
    device_check_deletable(device=device)
    audit_record(actor=actor, action="device.delete", customer_id=device.customer_id,
                 object_id=device.pk, target=str(device), device_id=device.device_id)
    device.delete()


def device_update_settings(*, device: Device, tablet_settings: TabletSettings) -> Device:
    device.apply_settings(tablet_settings)
    device.full_clean()
    device.save(update_fields=TabletSettings.field_names())
    return device


def _claim_window_end() -> datetime:
    """The end of a claim window opened now (docs/domain.md#claim-window)."""
    return timezone.now() + timedelta(minutes=settings.TABLET_CLAIM_MINUTES)


@transaction.atomic
def device_token_issue(*, device: Device) -> str:
    """Tablet login: returns a new plain token (shown once) and locks the device.

    Refused while the device is locked, so only one tablet can claim a registration until an
    employee resets it, and outside the claim window that registration and resets open. The
    row lock makes two simultaneous logins end with one token.
    """
    device = Device.objects.select_for_update().get(pk=device.pk)
    if not device.is_open_for_login:
        # One answer for locked and closed: a stranger with the serial learns nothing more.
        raise Conflict("locked", lazy_format(
            _("Device is not open for login: reset the tablet's token in the portal, then log "
              "in within %(minutes)d minutes"), minutes=settings.TABLET_CLAIM_MINUTES))
    token = token_issue(model=DeviceToken, device=device)
    Device.objects.filter(pk=device.pk).update(locked=True, claim_open_until=None)
    return token


@transaction.atomic
def device_token_reset(*, device: Device, actor: Any = None) -> None:
    """Revoke every token of the device, unlock it and open its claim window."""
    open_until = _claim_window_end()
    Device.objects.select_for_update().filter(pk=device.pk).update(
        locked=False, claim_open_until=open_until)
    tokens_revoke(tokens=device.tokens.all())
    device.locked, device.claim_open_until = False, open_until
    audit_record(actor=actor, action="device.reset_token", customer_id=device.customer_id,
                 object_id=device.pk, target=str(device))


def device_claim_open(*, device: Device, until: datetime) -> None:
    """Open a tablet that is not logged in for login until `until`, revoking nothing. For the
    demo data (devtools.demo); a logged-in tablet stays locked, employees reset its token."""
    if Device.objects.filter(pk=device.pk, locked=False).update(claim_open_until=until):
        device.claim_open_until = until


def device_token_revoke(*, token: str) -> bool:
    """Tablet logout: the token stops working at once. False when it was not active."""
    return bool(tokens_revoke(tokens=DeviceToken.objects.matching(token)))


def device_touch(*, device: Device) -> None:
    """Record that the tablet called in: at most one write per device per
    DEVICE_LAST_SEEN_WRITE_SECONDS, so the polling hot path stays read-only."""
    last_use_record(row=device, field="last_seen_at",
                    every=timedelta(seconds=settings.DEVICE_LAST_SEEN_WRITE_SECONDS))


def device_login(*, serial: str | None = None, device_id: str | None = None
                 ) -> tuple[Device, str]:
    """Tablet login by serial or barcode: the device and its new token. Every refusal counts
    towards the per-serial limit (devices.login_limit), checked first."""
    # The API gives exactly one of the two.
    field, value = ("serial", serial) if serial is not None else ("device_id", device_id or "")
    login_limit_check(field=field, value=value)
    try:
        device = device_find_for_login(**{field: value})
        return device, device_token_issue(device=device)
    except ServiceError:
        login_failure_record(field=field, value=value)
        raise


def device_find_for_login(*, serial: str | None = None, device_id: str | None = None) -> Device:
    device = (
        Device.objects.select_related("customer")
        .filter(Q(serial=serial) if serial is not None else Q(device_id=device_id))
        .first()
    )
    if device is None:
        raise NotFound("device", _("Device not found"))
    if device.customer.is_blocked:
        raise AccessDenied(_("Customer is blocked"))
    return device
