"""Demo data for the quickstart and the browser tests: two resellers, their customers, staff at
every access level, tablets (some logged in) and a ready meeting per FlexCare customer.

Idempotent: objects are found by natural keys (names, e-mails, serials) before being created.
Passwords are reset and tablet tokens re-issued on every run, so the printed ones always work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from accounts.access import AccessLevel
from accounts.models import Customer, Feature, User
from accounts.services import customer_create, user_create, user_set_password
from devices.models import Device
from devices.services import device_create, device_token_issue, device_token_reset
from devices.tablet_settings import Quality, TabletSettings

from .lifecycle import meeting_mark_provisioned
from .models import Command, CommandStatus, CommandType, ConferenceDevice
from .providers import fake_booking
from .services import command_queue, meeting_create

DEMO_PASSWORD = "flexcare-demo"  # noqa: S105  (public demo credential, refused outside DEBUG)
ADMIN_EMAIL = "admin@flexcare.example"


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


def _user(email: str, level: str, customer: Customer | None) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        return user_create(
            email=email, password=DEMO_PASSWORD, access_level=level, customer=customer,
            name=email.split("@")[0].capitalize(),
        )
    user_set_password(user=user, password=DEMO_PASSWORD)
    return user


def _device(customer: Customer, number: int, index: int) -> Device:
    serial = f"FLXCA{number}"
    device = Device.objects.filter(serial=serial).first()
    return device or device_create(
        customer=customer, name=f"Bed {index + 1}", serial=serial, device_id=str(number),
        technical_room_number=str(100 + index),
    )


def _ready_meeting(customer: Customer, device: Device, employee: User) -> ConferenceDevice:
    """The open meeting of `device`, or a new one, provisioned by the fake provider, with
    commands in several statuses."""
    participant = ConferenceDevice.objects.filter(device=device, active=True).first()
    if participant:
        return participant
    meeting = meeting_create(customer=customer, devices=[device], employee=employee)
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(f"fake-{meeting.pk}"))
    queue = {"meeting": meeting, "device": device, "created_by": employee}
    executed = command_queue(type=CommandType.SET_VOLUME, volume=60, **queue)
    fetched = command_queue(type=CommandType.CAMERA_ON, value=True, **queue)
    command_queue(type=CommandType.MICROPHONE_ON, value=False, **queue)
    # Demo history only: these are the states the tablet API moves commands through.
    Command.objects.filter(pk=executed.pk).update(
        status=CommandStatus.EXECUTED, delivery_count=1, fetched_at=executed.created_at,
        executed_at=executed.created_at, finished_at=executed.created_at,
    )
    Command.objects.filter(pk=fetched.pk).update(
        status=CommandStatus.FETCHED, delivery_count=1, fetched_at=fetched.created_at,
    )
    return ConferenceDevice.objects.get(conference=meeting, device=device)


@transaction.atomic
def seed_demo() -> dict[str, Any]:
    """Create (or refresh) the demo data and return the document `seed_demo --json` prints."""
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
                device_token_reset(device=device)
                # The first two tablets are logged in; the third has never logged in.
                token = device_token_issue(device=device) if index < 2 else None
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
    return out
