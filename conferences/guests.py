"""A meeting's guests and the e-mails due to them (docs/domain.md#guest,
docs/lifecycle.md#invitations).

What is due to a guest is recorded on the guest (`due_at`, status PENDING) by whatever makes
it due — being invited, a change of time or room, a cancellation, a resend — and sent by the
`send_invitation` task, which always sends the meeting as it is by then: an invitation (or its
update) while the meeting is ahead, a cancellation once it was cancelled. An invitation waits
until the meeting's guest link is known and VDX has its times."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import User
from flexcare.backoff import backoff_delay
from flexcare.errors import Conflict, Invalid, lazy_format

from . import tasks
from .invitations import Method, invitation_email
from .models import Conference, Guest, GuestStatus, MeetingState
from .queueing import enqueue

logger = logging.getLogger(__name__)

MAX_GUESTS = 20  # per meeting (docs/api.md#meetings-booked-ahead)
NAME_MAX = 200
# Sending is tried this often, backing off 15, 30, 60, 120 s (jittered) between tries: a few
# minutes in all, within which a brief outage of the mail server passes, and within
# PROVISION_STALE_SECONDS, after which the lost-work job would queue it again.
SEND_ATTEMPTS = 5
SEND_BACKOFF_SECONDS = 15.0


@dataclass(frozen=True)
class NewGuest:
    email: str
    name: str = ""


def guests_validated(guests: Sequence[NewGuest], *, already: Sequence[str] = ()) -> list[NewGuest]:
    """The guests to add to a meeting whose guests have the addresses `already`, or the
    contract's 422 `guests`: addresses must be valid, names short, and a meeting has at most
    MAX_GUESTS. An address given twice, or already a guest's, is added once."""
    known = {email.casefold() for email in already}
    unique: dict[str, NewGuest] = {}
    for number, guest in enumerate(guests, 1):
        email = guest.email.strip()
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid("guests", lazy_format(
                _("Guest %(n)d: not a valid e-mail address"), n=number)) from None
        if len(guest.name) > NAME_MAX:
            raise Invalid("guests", lazy_format(
                _("Guest %(n)d: a name has at most %(max)d characters"), n=number, max=NAME_MAX))
        if email.casefold() not in known:
            unique.setdefault(email.casefold(), NewGuest(email=email, name=guest.name.strip()))
    if len(known) + len(unique) > MAX_GUESTS:
        raise Invalid("guests", lazy_format(
            _("A meeting has at most %(n)d guests"), n=MAX_GUESTS))
    return list(unique.values())


@transaction.atomic
def guests_add(*, meeting: Conference, guests: Sequence[NewGuest],
               actor: User | None) -> list[Guest]:
    """Invite more guests to a meeting that is not closed or ending."""
    meeting = Conference.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state == MeetingState.CLOSED:
        raise Conflict("meeting", _("Meeting is closed"))
    if meeting.end_requested_at is not None:
        raise Conflict("meeting", _("Meeting is ending"))
    wanted = guests_validated(guests, already=list(
        meeting.guests.values_list("email", flat=True)))
    return guests_invite(meeting=meeting, guests=wanted, actor=actor)


def guests_invite(*, meeting: Conference, guests: Sequence[NewGuest],
                  actor: User | None) -> list[Guest]:
    """Add already validated guests (guests_validated) and queue their invitations."""
    now = timezone.now()
    added = Guest.objects.bulk_create(
        Guest(conference=meeting, email=g.email, name=g.name, due_at=now) for g in guests)
    if added:
        invitations_queue(meeting)
        audit_record(actor=actor, action="meeting.invite", customer_id=meeting.customer_id,
                     object_id=meeting.pk, target=str(meeting),
                     recipients=[guest.email for guest in added])
    return added


def guest_resend(*, guest: Guest, actor: User | None) -> None:
    """Send the guest the meeting as it is now once more (the portal's Resend)."""
    meeting = guest.conference
    if meeting.state == MeetingState.CLOSED and not meeting.is_cancelled:
        raise Conflict("meeting", _("Meeting is closed"))
    Guest.objects.filter(pk=guest.pk).update(status=GuestStatus.PENDING, reason="",
                                             due_at=timezone.now())
    enqueue(tasks.send_invitation, guest.pk)
    audit_record(actor=actor, action="meeting.resend_invitation",
                 customer_id=meeting.customer_id, object_id=meeting.pk, target=str(meeting),
                 recipients=[guest.email])


def guests_meeting_changed(*, meeting: Conference) -> None:
    """The meeting's time or room changed: every guest is due the updated invitation (a new
    SEQUENCE of the same calendar event)."""
    Conference.objects.filter(pk=meeting.pk).update(
        calendar_sequence=F("calendar_sequence") + 1)
    Guest.objects.filter(conference=meeting).update(
        status=GuestStatus.PENDING, reason="", due_at=timezone.now())
    invitations_queue(meeting)


def guests_meeting_cancelled(*, meeting: Conference) -> None:
    """The meeting was cancelled: the guests who were sent an invitation are due the
    cancellation; the others have nothing left to be told."""
    Conference.objects.filter(pk=meeting.pk).update(
        calendar_sequence=F("calendar_sequence") + 1)
    guests = Guest.objects.filter(conference=meeting)
    guests.filter(sent_sequence__isnull=True).update(due_at=None)
    guests.filter(sent_sequence__isnull=False).update(
        status=GuestStatus.PENDING, reason="", due_at=timezone.now())
    invitations_queue(meeting)


def invitations_queue(meeting: Conference) -> None:
    """Queue the sending of what is due to the meeting's guests (on commit). The task decides
    what, if anything, can go out yet; whatever waits is queued again by whoever ends the
    wait (provisioning, the move at VDX) or by the lost-work job."""
    for pk in Guest.objects.filter(conference=meeting, due_at__isnull=False).values_list(
            "pk", flat=True):
        enqueue(tasks.send_invitation, pk)


def ready_to_invite() -> Q:
    """Meetings whose guests can be sent their invitation: the guest link is known, and VDX
    has the meeting's times (its booking is not being replaced or moved)."""
    return (~Q(guest_link="") & ~Q(vdx_booking_id="") & Q(booked_start=F("start_time"),
                                                          booked_end=F("end_time")))


def cancelled() -> Q:
    return Q(state=MeetingState.CLOSED, closed_at__lt=F("start_time"))


def guest_invitation_send(*, guest_id: str, attempt: int = 1) -> float | None:
    """Send what is due to the guest: returns seconds until the next try, or None when done
    (sent, given up, nothing due, or waiting for the meeting's link or times)."""
    guest = Guest.objects.select_related("conference__customer").filter(
        pk=guest_id, due_at__isnull=False).first()
    if guest is None:
        return None
    meeting = guest.conference
    now = timezone.now()
    method: Method
    if meeting.is_cancelled:
        if guest.sent_sequence is None:  # never invited: nothing to cancel
            Guest.objects.filter(pk=guest.pk).update(due_at=None)
            return None
        method = "CANCEL"
    elif meeting.state == MeetingState.CLOSED or now >= meeting.end_time:
        Guest.objects.filter(pk=guest.pk).update(due_at=None)  # over: nothing to tell
        return None
    elif not Conference.objects.filter(ready_to_invite(), pk=meeting.pk).exists():
        return None  # queued again once the link and the times are there
    else:
        method = "REQUEST"
    sequence = meeting.calendar_sequence
    update = guest.sent_sequence is not None and guest.sent_sequence < sequence
    try:
        invitation_email(meeting=meeting, guest=guest, method=method, update=update).send()
    except (smtplib.SMTPException, OSError) as exc:
        return _failed_send(guest, exc, attempt)
    # Only if no newer version became due meanwhile: that one is still to be sent.
    Guest.objects.filter(pk=guest.pk, conference__calendar_sequence=sequence).update(
        status=GuestStatus.SENT, reason="", sent_at=timezone.now(), sent_sequence=sequence,
        due_at=None)
    return None


def _failed_send(guest: Guest, exc: Exception, attempt: int) -> float | None:
    # The server's answer says why; it holds no link (only the guest's address, maybe).
    reason = f"{type(exc).__name__}: {exc}"[:500]
    logger.warning("e-mail to guest %s of meeting %s failed (attempt %d): %s", guest.pk,
                   guest.conference_id, attempt, reason)
    refused = isinstance(exc, smtplib.SMTPRecipientsRefused)
    if refused or attempt >= SEND_ATTEMPTS:
        Guest.objects.filter(pk=guest.pk).update(status=GuestStatus.FAILED, reason=reason,
                                                 due_at=None)
        return None
    # Still due, and touched: the lost-work job leaves it to this task's retries.
    Guest.objects.filter(pk=guest.pk).update(reason=reason, due_at=timezone.now())
    return backoff_delay(attempt, base=SEND_BACKOFF_SECONDS, least=0.5)


def guests_resume(stale_before: datetime) -> int:
    """Queue again the sending of e-mails due since before `stale_before` that could go out:
    their task was lost. Their due time is refreshed, so each is queued once per period."""
    meetings = Conference.objects.filter(cancelled() | (~Q(state=MeetingState.CLOSED)
                                                        & ready_to_invite()))
    due = list(Guest.objects.filter(due_at__lte=stale_before, conference__in=meetings)
               .values_list("pk", flat=True))
    Guest.objects.filter(pk__in=due).update(due_at=timezone.now())
    for pk in due:
        enqueue(tasks.send_invitation, pk)
    return len(due)


def guests_purge() -> int:
    """Delete the guests of meetings closed more than GUEST_RETENTION_DAYS ago: their
    addresses are personal data, kept no longer than needed."""
    cutoff = timezone.now() - timedelta(days=settings.GUEST_RETENTION_DAYS)
    deleted, _by_model = Guest.objects.filter(
        conference__state=MeetingState.CLOSED, conference__closed_at__lte=cutoff).delete()
    return deleted
