"""What booking a room at VDX gives us, and the offline fake provider.

The real VDX client arrives with the lifecycle work; every provider returns a `Booking`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Booking:
    booking_id: str
    uri: str
    pin: str
    desktop_link: str
    clinical_link: str
    mobile_link: str


class FakeProvider:
    """Books instantly and offline, for the quickstart and the demo. Not a real room."""

    name = "fake"
    domain = "fake-vdx.invalid"

    def book(self, *, meeting_id: str, subject: str = "") -> Booking:
        room = f"{int(meeting_id[-6:], 16) % 1_000_000:06d}"
        pin = f"{secrets.randbelow(10_000):04d}"
        uri = f"{room}@{self.domain}"
        return Booking(
            booking_id=f"fake-{meeting_id}",
            uri=uri,
            pin=pin,
            desktop_link=f"https://{self.domain}/webapp/?conference={uri}&pin={pin}&join=1",
            clinical_link=f"https://{self.domain}/clinical/?conference={uri}&pin={pin}",
            mobile_link=f"https://{self.domain}/m/{room}",
        )
