"""Helpers for the employee API tests: bearer headers and a free tablet."""

from __future__ import annotations

from typing import Any

from accounts.models import Customer
from devices.models import Device
from tests.factories import DeviceFactory

MEETING = "/iptv/flexcareconference/meeting"


def bearer(token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def free_device(customer: Customer) -> Device:
    """A tablet of the customer that is in no meeting."""
    return DeviceFactory.create(customer=customer)
