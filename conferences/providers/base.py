"""The small interface every room-booking provider implements (fake, MedCom VDX)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Booking:
    """A provisioned room: what the tablets and participants need to join."""

    booking_id: str
    uri: str
    pin: str
    desktop_link: str
    clinical_link: str
    mobile_link: str
    # Why a link is empty: it came out as something other than an https: link (links.py).
    link_problems: tuple[str, ...] = ()
    # The link e-mailed to guests: one of the above that does not carry the host PIN.
    guest_link: str = ""

    def __repr__(self) -> str:
        # PINs and links let anyone into the room: never in logs or tracebacks.
        return f"Booking(booking_id={self.booking_id!r})"


class BookingState(enum.Enum):
    PENDING = "PENDING"  # booked, room not provisioned yet: ask again later
    OK = "OK"
    FAILED = "FAILED"  # the provider reports it cannot provision this room


@dataclass(frozen=True)
class BookingStatus:
    state: BookingState
    # Set when state is OK; while PENDING, set if the provider already tells the room's
    # address and links (VDX does from the booking on: guests can be invited before the room
    # is provisioned, shortly before its start).
    booking: Booking | None = None
    error: str = ""  # set when state is FAILED


class ProviderError(Exception):
    """A call failed. `retryable`: worth trying again later (timeouts, 5xx, "try again")."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Provider(Protocol):
    name: str

    def book(self, *, external_id: str, subject: str, start: datetime, end: datetime) -> str:
        """Book a room and return its booking id. Idempotent per `external_id`: booking the
        same id again returns the existing booking instead of a second room."""
        ...

    def status(self, booking_id: str) -> BookingStatus:
        """Where provisioning of the booked room stands."""
        ...

    def reschedule(self, booking_id: str, *, start: datetime, end: datetime) -> None:
        """Move the booking to new times. A ProviderError that is not retryable says the
        room cannot be moved (it is provisioned already): book a new one instead."""
        ...

    def end(self, booking_id: str) -> None:
        """End the room now: cancel it if not provisioned yet, else set its end time to now."""
        ...
