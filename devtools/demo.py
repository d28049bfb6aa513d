"""Demo data for the quickstart and the browser tests: two resellers, their customers, staff at
every access level, tablets (some logged in) and a ready meeting per FlexCare customer.

Idempotent: objects are found by natural keys (names, e-mails, serials) before being created,
and a second run logs nobody out. Passwords are reset only if changed. The plain tokens of the
logged-in demo tablets are kept in `var/demo-tablet-tokens.json` (git-ignored, readable by its
owner only) and reused while they still work; a new one is issued only when there is none or it
stopped working (an employee reset the tablet's token, the database was replaced, ...). The
tablet left for a login by serial is created unlocked and never reset here, so a simulator that
logged in on it keeps working; an employee resets its token to log in by serial again. Until
then every run keeps it open for login for DEMO_CLAIM_WINDOW, whatever TABLET_CLAIM_MINUTES
says, so that the quickstart's simulator can log in by serial at any time. Plain
tokens on disk are acceptable for the demo only: `seed_demo` refuses to run with DEBUG off.

The demo meetings' command history is made by the real services (queue, claim, acknowledge),
so it follows the delivery rules: a fetched, unacknowledged command comes back to the tablet
when its claim expires.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from accounts.access import AccessLevel
from accounts.models import Customer, Feature, User
from accounts.services import customer_create, user_create, user_set_password
from accounts.tablet_settings import Quality, TabletSettings
from conferences.delivery import command_acknowledge, command_claim
from conferences.lifecycle import meeting_mark_provisioned
from conferences.models import CommandType, ConferenceDevice
from conferences.providers import fake_booking
from conferences.services import command_queue, meeting_create
from devices.models import Device
from devices.selectors import device_for_token
from devices.services import (
    device_claim_open,
    device_create,
    device_token_issue,
    device_token_reset,
)

DEMO_PASSWORD = "flexcare-demo"  # noqa: S105  (public demo credential, refused outside DEBUG)
ADMIN_EMAIL = "admin@flexcare.example"
TOKEN_FILE_NAME = "demo-tablet-tokens.json"  # noqa: S105  (a file name, not a secret)
LOGGED_IN_TABLETS = 2  # of the three per customer; the third is left for a login by serial
DEMO_CLAIM_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    domain: str
    serial_base: int


RESELLERS = [
    ("Nordic Care Reseller", "nordiccare.example", [
        DemoCustomer("Aarhus University Hospital", "aarhus.example", 1700001),
        DemoCustomer("Aarhus Public Library", "", 0),
    ]),
    ("Sundhed Partners", "sundhedpartners.example", [
        DemoCustomer("Odense Care Home", "odense.example", 1800001),
        DemoCustomer("Odense Sports Club", "", 0),
    ]),
]
STAFF_LEVELS = (AccessLevel.VIEWER, AccessLevel.MANAGER, AccessLevel.OWNER)
DEMO_SETTINGS = TabletSettings(
    medcom_uri="https://fake-vdx.invalid", camera_on=True, microphone_on=True, set_volume=True,
    volume=70, quality=Quality.HIGH,
)


def _customer(name: str, *, parent: Customer | None, is_reseller: bool, features: list[str]
              ) -> Customer:
    existing = Customer.objects.filter(name=name, parent_reseller=parent).first()
    if existing:
        return existing
    return customer_create(
        name=name, parent_reseller=parent, is_reseller=is_reseller, features=features,
        default_tablet_settings=DEMO_SETTINGS,
    )


# The password hasher costs half a second a hash on a 2-core machine, by design: the demo
# users share one hash of their shared public password, made and checked once per run, so
# that `make run` does not spend seconds on it each time it starts.
@functools.cache
def _demo_hash() -> str:
    return make_password(DEMO_PASSWORD)


@functools.cache
def _is_demo_hash(encoded: str) -> bool:
    return check_password(DEMO_PASSWORD, encoded)


def _user(email: str, level: str, customer: Customer | None) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(
            email=email, password=None, access_level=level, customer=customer,
            name=email.split("@")[0].capitalize(),
        )
        User.objects.filter(pk=user.pk).update(password=_demo_hash())
        user.password = _demo_hash()
        return user
    if not _is_demo_hash(user.password):
        # Only when changed: a new hash would log the demo users out of their open sessions.
        user_set_password(user=user, password=DEMO_PASSWORD)
    return user


def _device(customer: Customer, number: int, index: int) -> Device:
    serial = f"FLXCA{number}"
    device = Device.objects.filter(serial=serial).first()
    return device or device_create(
        customer=customer, name=f"Bed {index + 1}", serial=serial, device_id=str(number),
        technical_room_number=str(100 + index),
    )


def token_file() -> Path:
    return Path(settings.VAR_DIR) / TOKEN_FILE_NAME


def _read_tokens(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _write_tokens(path: Path, tokens: dict[str, str]) -> None:
    """Replace the file atomically, readable and writable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(tokens, file, indent=2, sort_keys=True)
        file.write("\n")
    os.replace(temporary, path)


def _logged_in_token(device: Device, stored: str | None) -> str:
    """The stored token while it still logs this tablet in; otherwise a new one, after
    revoking the tablet's other tokens (so it is in the state a real login leaves it)."""
    if stored is not None:
        found = device_for_token(stored)
        if found is not None and found.pk == device.pk:
            return stored
    if device.locked:
        device_token_reset(device=device)
    _open_for_login(device)  # the reset's claim window may be empty (TABLET_CLAIM_MINUTES=0)
    return device_token_issue(device=device)


def _open_for_login(device: Device) -> None:
    device_claim_open(device=device, until=timezone.now() + DEMO_CLAIM_WINDOW)


def _ready_meeting(customer: Customer, device: Device, employee: User) -> ConferenceDevice:
    """The open meeting of `device`, or a new one, provisioned by the fake provider, with
    commands in several statuses.

    The history is what the tablet API would leave: the tablet fetched START_MEETING,
    SET_VOLUME and CAMERA_ON, acknowledged SET_VOLUME and went quiet, so the other two come
    back to it when their claim expires (COMMAND_CLAIM_SECONDS); MICROPHONE_ON was queued
    after that fetch and is delivered on the next poll."""
    participant = ConferenceDevice.objects.filter(device=device, active=True).first()
    if participant:
        return participant
    meeting = meeting_create(customer=customer, devices=[device], employee=employee,
                             actor=employee)
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(f"fake-{meeting.pk}"))
    participant = ConferenceDevice.objects.get(conference=meeting, device=device)
    queue: dict[str, Any] = {"meeting": meeting, "device": device, "created_by": employee}
    volume = command_queue(type=CommandType.SET_VOLUME, volume=60, **queue)
    command_queue(type=CommandType.CAMERA_ON, value=True, **queue)
    command_claim(participant=participant)
    command_acknowledge(participant=participant, command_id=volume.pk)
    command_queue(type=CommandType.MICROPHONE_ON, value=False, **queue)
    return participant


def seed_demo(*, tokens_path: Path | None = None, keep_tokens: bool = True) -> dict[str, Any]:
    """Create (or refresh) the demo data and return the document `seed_demo --json` prints.

    The logged-in tablets' plain tokens are read from and, with `keep_tokens`, saved to
    `tokens_path` (default: `token_file()`), after the data is committed."""
    path = tokens_path or token_file()
    stored = _read_tokens(path)
    with transaction.atomic():
        out, tokens = _seed(stored)
    if tokens != stored and keep_tokens:
        _write_tokens(path, tokens)
    return out


def _seed(stored: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    tokens: dict[str, str] = {}
    out: dict[str, Any] = {"users": [], "customers": [], "devices": [], "meetings": []}
    _user(ADMIN_EMAIL, AccessLevel.ADMIN, None)
    out["admin"] = {"email": ADMIN_EMAIL, "password": DEMO_PASSWORD}

    def add_user(email: str, level: str, customer: Customer) -> User:
        user = _user(email, level, customer)
        out["users"].append({"_id": user.pk, "email": email, "password": DEMO_PASSWORD,
                             "accessLevel": level, "customer": customer.pk})
        return user

    def add_customer(customer: Customer) -> None:
        out["customers"].append({
            "_id": customer.pk, "name": customer.name, "isReseller": customer.is_reseller,
            "parentReseller": customer.parent_reseller_id, "features": customer.features,
        })

    for reseller_name, reseller_domain, customers in RESELLERS:
        reseller = _customer(reseller_name, parent=None, is_reseller=True, features=[])
        add_customer(reseller)
        add_user(f"reseller@{reseller_domain}", AccessLevel.RESELLER, reseller)
        for spec in customers:
            features = [Feature.FLEXCARE.value] if spec.domain else []
            customer = _customer(spec.name, parent=reseller, is_reseller=False, features=features)
            add_customer(customer)
            if not spec.domain:
                continue
            staff = {level: add_user(f"{level.lower()}@{spec.domain}", level, customer)
                     for level in STAFF_LEVELS}
            for index in range(3):
                device = _device(customer, spec.serial_base + index, index)
                # The first two tablets are logged in. The third is created unlocked, for
                # `simulate_tablet --serial`, and never reset here: that would log out a
                # simulator that logged in on it.
                token = None
                if index < LOGGED_IN_TABLETS:
                    token = _logged_in_token(device, stored.get(device.serial))
                    tokens[device.serial] = token
                else:
                    _open_for_login(device)
                out["devices"].append({"_id": device.pk, "serial": device.serial,
                                       "deviceId": device.device_id, "customer": customer.pk,
                                       "token": token})
                if index == 0:
                    participant = _ready_meeting(customer, device, staff[AccessLevel.MANAGER])
                    meeting = participant.conference
                    out["meetings"].append({
                        "_id": meeting.pk, "customer": customer.pk, "state": meeting.state,
                        "devices": list(
                            meeting.participants.values_list("device_id", flat=True)
                        ),
                    })
    return out, tokens
