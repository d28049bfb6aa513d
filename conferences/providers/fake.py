"""The offline fake provider: books instantly, no network. For the quickstart and the demo;
the admin labels meetings booked by it as such."""

from __future__ import annotations

import hashlib
from datetime import datetime

from .base import Booking, BookingState, BookingStatus

FAKE_DOMAIN = "fake-vdx.invalid"


class FakeProvider:
    name = "fake"

    def book(self, *, external_id: str, subject: str, start: datetime, end: datetime) -> str:
        return f"fake-{external_id}"

    def status(self, booking_id: str) -> BookingStatus:
        return BookingStatus(BookingState.OK, booking=fake_booking(booking_id))

    def end(self, booking_id: str) -> None:
        return None


def fake_booking(booking_id: str) -> Booking:
    # Derived from the id, so asking twice gives the same room, as a real provider would.
    digest = int(hashlib.sha256(booking_id.encode()).hexdigest(), 16)
    room, pin = f"{digest % 1_000_000:06d}", f"{(digest >> 32) % 10_000:04d}"
    uri = f"{room}@{FAKE_DOMAIN}"
    return Booking(
        booking_id=booking_id,
        uri=uri,
        pin=pin,
        desktop_link=f"https://{FAKE_DOMAIN}/webapp/?conference={uri}&pin={pin}&join=1",
        clinical_link=f"https://{FAKE_DOMAIN}/clinical/?conference={uri}&pin={pin}",
        mobile_link=f"https://{FAKE_DOMAIN}/m/{room}",
    )
