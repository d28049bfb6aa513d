"""A small multi-tenant world that every isolation test starts from.

    Reseller A ── Hospital A1, Hospital A2, Sub-reseller A-sub ── Hospital A3
    Reseller B ── Hospital B1

Each hospital has a tablet with a token, a meeting holding that tablet and a command.
Hospital A1 and B1 have a VIEWER, MANAGER and OWNER; each reseller has a RESELLER user. Every
user has an API token (`user_tokens`, by the same key as `users`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.access import AccessLevel
from accounts.audit import audit_record
from accounts.models import Customer, User
from accounts.services import user_token_issue
from conferences.models import Conference
from devices.services import device_token_issue
from tests.factories import (
    CustomerFactory,
    DeviceFactory,
    MeetingFactory,
    ResellerFactory,
    UserFactory,
    queue,
)

HOSPITALS = {"A1": "Reseller A", "A2": "Reseller A", "A3": "A-sub", "B1": "Reseller B"}


@dataclass
class Tenants:
    customers: dict[str, Customer] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    user_tokens: dict[str, str] = field(default_factory=dict)

    def user(self, key: str) -> User:
        return self.users[key]


def build_tenants() -> Tenants:
    world = Tenants()
    c = world.customers
    c["Reseller A"] = ResellerFactory.create(name="Reseller A")
    c["Reseller B"] = ResellerFactory.create(name="Reseller B")
    c["A-sub"] = ResellerFactory.create(name="A-sub", parent_reseller=c["Reseller A"])
    for name, parent in HOSPITALS.items():
        c[name] = CustomerFactory.create(name=name, parent_reseller=c[parent])
        device = DeviceFactory.create(customer=c[name], name=f"Bed {name}")
        world.tokens[name] = device_token_issue(device=device)
        meeting: Conference = MeetingFactory.create(customer=c[name], devices=[device])
        queue(meeting, device)
    for name in ("A1", "B1"):
        for level in (AccessLevel.VIEWER, AccessLevel.MANAGER, AccessLevel.OWNER):
            world.users[f"{level}@{name}"] = UserFactory.create(
                email=f"{level.lower()}@{name.lower()}.test", access_level=level,
                customer=c[name],
            )
    for name in ("Reseller A", "A-sub", "Reseller B"):
        world.users[f"RESELLER@{name}"] = UserFactory.create(
            email=f"reseller@{name.replace(' ', '').lower()}.test",
            access_level=AccessLevel.RESELLER, customer=c[name],
        )
    world.users["ADMIN"] = UserFactory.create(
        email="admin@platform.test", access_level=AccessLevel.ADMIN, customer=None
    )
    for key, user in world.users.items():
        world.user_tokens[key] = user_token_issue(user=user)
    for name in HOSPITALS:  # an audit entry per hospital, as an employee's action leaves
        meeting = c[name].conferences.get()
        audit_record(actor=world.users["ADMIN"], action="meeting.create", customer_id=c[name].pk,
                     object_id=meeting.pk, target=str(meeting))
    return world
