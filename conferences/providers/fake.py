"""The offline fake provider: books instantly, no network. For the quickstart and the demo;
the admin labels meetings booked by it as such."""

from __future__ import annotations

import hashlib
from datetime import datetime

from .base import Booking, BookingState, BookingStatus
from .links import LinkTemplates

FAKE_DOMAIN = "fake-vdx.invalid"


class FakeProvider:
    name = "fake"

    def book(self, *, external_id: str, subject: str, start: datetime, end: datetime) -> str:
        return f"fake-{external_id}"

    def status(self, booking_id: str) -> BookingStatus:
        return BookingStatus(BookingState.OK, booking=fake_booking(booking_id))

    def reschedule(self, booking_id: str, *, start: datetime, end: datetime) -> None:
        return None

    def end(self, booking_id: str) -> None:
        return None


def fake_booking(booking_id: str) -> Booking:
    # Derived from the id, so asking twice gives the same room, as a real provider would; the
    # links come from the same templates as a real booking's.
    digest = int(hashlib.sha256(booking_id.encode()).hexdigest(), 16)
    room, pin = f"{digest % 1_000_000:06d}", f"{(digest >> 32) % 10_000:04d}"
    host_pin = f"{(digest >> 64) % 10_000:04d}"
    uri = f"{room}@{FAKE_DOMAIN}"
    return LinkTemplates.from_settings().booking(booking_id, {
        "uri": uri, "uri_without_domain": room, "uri_domain": FAKE_DOMAIN, "pin": pin,
        "host_pin": host_pin, "portal_link": f"https://{FAKE_DOMAIN}/meeting/{room}",
        "short_link": f"https://{FAKE_DOMAIN}/m/{room}",
    })
