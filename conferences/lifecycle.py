"""Meeting state transitions (docs/domain.md#meeting-lifecycle). Each one is a guarded conditional
UPDATE or runs under the meeting's row lock: it happens once, however many times or however
concurrently it is asked for, and a transition the state does not allow changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import User

from . import tasks
from .guests import guests_meeting_cancelled, guests_meeting_changed, invitations_queue
from .models import (
    Command,
    CommandStatus,
    CommandType,
    Conference,
    ConferenceDevice,
    MeetingState,
    Provisioning,
)
from .providers import Booking
from .queueing import enqueue


def same_attempt(meeting: Conference) -> Q:
    """Matches the meeting only while it is in the provisioning attempt `meeting` was read in:
    a step of an attempt given up by a retry (still running, or queued twice) then changes
    nothing, rather than marking the new attempt with the old room or the old failure."""
    started = meeting.provisioning_started_at
    return Q(provisioning_started_at=started) if started else Q(
        provisioning_started_at__isnull=True)


@transaction.atomic
def meeting_mark_provisioned(*, meeting: Conference, booking: Booking) -> bool:
    """PENDING → OK: store the booked room, and queue START_MEETING for every tablet if the
    meeting's start time has come (else the start_due_meetings job does, at its start). A link
    left out of the booking (not https:) is recorded as the provisioning error: the meeting
    works without it, and the admin shows why it is missing."""
    changed = Conference.objects.filter(
        same_attempt(meeting),
        pk=meeting.pk, state=MeetingState.CREATED, provisioning=Provisioning.PENDING,
    ).update(
        provisioning=Provisioning.OK,
        provisioning_error=" ".join(booking.link_problems),
        provisioned_at=timezone.now(),
        vdx_booking_id=booking.booking_id,
        # A booking handed in directly (the demo data) was made for the meeting's times.
        booked_start=Coalesce("booked_start", "start_time"),
        booked_end=Coalesce("booked_end", "end_time"),
        uri=booking.uri,
        pin=booking.pin,
        desktop_link=booking.desktop_link,
        clinical_link=booking.clinical_link,
        mobile_link=booking.mobile_link,
    )
    if not changed:
        return False
    meeting.refresh_from_db()
    meeting_record_guest_link(meeting=meeting, link=booking.guest_link)
    meeting_queue_start(meeting_id=meeting.pk)
    return True


def meeting_record_guest_link(*, meeting: Conference, link: str) -> None:
    """Store the link the guests are e-mailed (known from the booking, before VDX provisions
    the room) and queue what is due to them. A different link for a meeting that had one — a
    new room — makes the changed invitation due to every guest."""
    before = Conference.objects.filter(pk=meeting.pk).values_list("guest_link", flat=True).first()
    if not link or before is None or before == link:
        return
    if not Conference.objects.filter(pk=meeting.pk, guest_link=before).update(guest_link=link):
        return  # another step recorded it meanwhile
    meeting.guest_link = link
    if before:
        guests_meeting_changed(meeting=meeting)
    else:
        invitations_queue(meeting)


@transaction.atomic
def meeting_queue_start(*, meeting_id: str) -> bool:
    """Queue START_MEETING for every tablet of a ready meeting whose start time has come,
    once: the conditional update of `start_queued_at` decides, and holds the meeting's row
    until commit, so meeting_end (which takes that lock) cannot slip in between."""
    now = timezone.now()
    queued = Conference.objects.filter(
        pk=meeting_id, state=MeetingState.CREATED, provisioning=Provisioning.OK,
        end_requested_at__isnull=True, start_queued_at__isnull=True, start_time__lte=now,
    ).update(start_queued_at=now)
    if not queued:
        return False
    Command.objects.bulk_create(
        Command(conference_device=participant, type=CommandType.START_MEETING)
        for participant in ConferenceDevice.objects.filter(conference_id=meeting_id)
    )
    return True


def meeting_mark_provisioning_failed(*, meeting_id: str, error: str,
                                     attempt_of: Conference | None = None) -> bool:
    """PENDING → FAILED, shown in the admin with its error and a retry action. With
    `attempt_of`, only if the meeting is still in that provisioning attempt."""
    return bool(
        Conference.objects.filter(
            same_attempt(attempt_of) if attempt_of is not None else Q(),
            pk=meeting_id, state=MeetingState.CREATED, provisioning=Provisioning.PENDING,
        ).update(provisioning=Provisioning.FAILED, provisioning_error=error[:2000])
    )


@transaction.atomic
def meeting_retry_provisioning(*, meeting: Conference, actor: User | None = None) -> bool:
    """FAILED → PENDING, and queue provisioning again; False when provisioning had not failed
    (nothing to retry). `meeting` is refreshed either way. A room VDX did book but failed to
    provision (or took too long to) is given up and ended: the retry books a new one, under
    a new externalId. Without a booking (VDX was unreachable) the externalId stays the same,
    so a booking whose answer was lost is found again rather than made twice."""
    failed = Conference.objects.select_for_update().filter(
        pk=meeting.pk, state=MeetingState.CREATED, provisioning=Provisioning.FAILED
    ).first()
    if failed is not None:
        _provision_again(failed)
        audit_record(actor=actor, action="meeting.retry_provisioning",
                     customer_id=meeting.customer_id, object_id=meeting.pk, target=str(meeting))
    meeting.refresh_from_db()
    return failed is not None


@transaction.atomic
def meeting_rebook(*, meeting_id: str, booking_id: str) -> bool:
    """Give up a room VDX would not move to the meeting's new times for a new one booked with
    them (the meeting is back to provisioning PENDING until then); False if the meeting moved
    on meanwhile (closed, begun, or its booking already replaced)."""
    meeting = Conference.objects.select_for_update().filter(
        pk=meeting_id, state=MeetingState.CREATED, end_requested_at__isnull=True,
        start_queued_at__isnull=True, vdx_booking_id=booking_id,
    ).first()
    if meeting is None:
        return False
    _provision_again(meeting)
    return True


def _provision_again(meeting: Conference) -> None:
    """Provisioning PENDING afresh, and queued. A room the meeting had is given up and ended
    (discard_booking) and a new one booked under a new externalId; without a booking (VDX was
    unreachable) the externalId stays, so a booking whose answer was lost is found again."""
    broken = meeting.vdx_booking_id
    now = timezone.now()
    Conference.objects.filter(pk=meeting.pk).update(
        # Checked "now": the periodic job is not to queue a second task beside this one.
        provisioning=Provisioning.PENDING, provisioning_attempts=0,
        provisioning_checked_at=now, provisioning_started_at=now,
        vdx_booking_id="", booked_start=None, booked_end=None,
        booking_round=F("booking_round") + (1 if broken else 0),
    )
    enqueue(tasks.provision_meeting, meeting.pk)
    if broken:
        enqueue(tasks.discard_booking, broken)


def meeting_mark_started(*, meeting_id: str) -> bool:
    """CREATED → STARTED, once a tablet executed START_MEETING."""
    return bool(
        Conference.objects.filter(
            pk=meeting_id, state=MeetingState.CREATED, provisioning=Provisioning.OK,
            end_requested_at__isnull=True,
        ).update(state=MeetingState.STARTED, started_at=timezone.now())
    )


class EndOutcome(Enum):
    """What meeting_end did, decided under the meeting's row lock."""

    ALREADY_CLOSED = "already_closed"
    ALREADY_ENDING = "already_ending"
    CLOSED = "closed"  # never provisioned: no tablet had joined, so it closed at once
    CANCELLED = "cancelled"  # ended before its start time: closed at once
    ENDING = "ending"  # HANGUP queued for every tablet; CLOSED once they hang up


class EndResult(NamedTuple):
    meeting: Conference
    outcome: EndOutcome


@transaction.atomic
def meeting_end(*, meeting: Conference, ended_by: User | None) -> EndResult:
    """Start ending a meeting: HANGUP to every tablet; CLOSED once all are executed or after
    the grace period. A meeting whose room was never provisioned closes at once, and so is
    one ended before its start time: it is cancelled (at VDX too), and its guests are told.
    Idempotent: the outcome says whether this call ended it or found it closed or ending
    already."""
    meeting = Conference.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state == MeetingState.CLOSED:
        return EndResult(meeting, EndOutcome.ALREADY_CLOSED)
    if meeting.end_requested_at is not None:
        return EndResult(meeting, EndOutcome.ALREADY_ENDING)
    now = timezone.now()
    if now < meeting.start_time and meeting.start_queued_at is None:
        _close_locked(meeting)
        meeting.refresh_from_db()
        guests_meeting_cancelled(meeting=meeting)
        audit_record(actor=ended_by, action="meeting.cancel", customer_id=meeting.customer_id,
                     object_id=meeting.pk, target=str(meeting))
        return EndResult(meeting, EndOutcome.CANCELLED)
    if meeting.provisioning != Provisioning.OK:
        _close_locked(meeting)
        audit_record(actor=ended_by, action="meeting.end", customer_id=meeting.customer_id,
                     object_id=meeting.pk, target=str(meeting))
        meeting.refresh_from_db()
        return EndResult(meeting, EndOutcome.CLOSED)
    Conference.objects.filter(pk=meeting.pk).update(end_requested_at=now)
    # Anything still waiting (a START_MEETING not yet delivered, say) is moot now.
    _cancel_unfinished(meeting, now)
    Command.objects.bulk_create(
        Command(conference_device=participant, type=CommandType.HANGUP, created_by=ended_by)
        for participant in meeting.participants.all()
    )
    enqueue(tasks.finish_closing, meeting.pk, countdown=settings.MEETING_CLOSE_GRACE_SECONDS)
    audit_record(actor=ended_by, action="meeting.end", customer_id=meeting.customer_id,
                 object_id=meeting.pk, target=str(meeting))
    meeting.refresh_from_db()
    return EndResult(meeting, EndOutcome.ENDING)


def meeting_finish_closing(*, meeting_id: str) -> bool:
    """Close an ending meeting once every HANGUP is executed or the grace period is over."""
    meeting = Conference.objects.filter(
        pk=meeting_id, end_requested_at__isnull=False
    ).exclude(state=MeetingState.CLOSED).first()
    if meeting is None:
        return False
    grace_over = timezone.now() >= meeting.end_requested_at + timedelta(
        seconds=settings.MEETING_CLOSE_GRACE_SECONDS
    )
    hangups = Command.objects.filter(
        conference_device__conference=meeting, type=CommandType.HANGUP
    )
    all_hung_up = not hangups.exclude(status=CommandStatus.EXECUTED).exists()
    if not (grace_over or all_hung_up):
        return False
    return meeting_close(meeting_id=meeting_id)


@transaction.atomic
def meeting_close(*, meeting_id: str, only_if_unstarted: bool = False) -> bool:
    """→ CLOSED (final): tablets leave it, unfinished commands are canceled, the room is
    ended at VDX. Under the meeting's row lock, which command_queue also takes.

    `only_if_unstarted`: for the start-window sweep, which chose the meeting before taking
    the lock: close it only if it is still CREATED and nobody is ending it meanwhile."""
    meeting = Conference.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None or meeting.state == MeetingState.CLOSED:
        return False
    if only_if_unstarted and (meeting.state != MeetingState.CREATED
                              or meeting.end_requested_at is not None):
        return False
    _close_locked(meeting)
    return True


def _close_locked(meeting: Conference) -> None:
    """CLOSED now: the tablets are freed, unfinished commands canceled, and the room's end at
    VDX queued (which cancels a booking VDX has not provisioned yet)."""
    now = timezone.now()
    Conference.objects.filter(pk=meeting.pk).update(state=MeetingState.CLOSED, closed_at=now)
    ConferenceDevice.objects.filter(conference=meeting).update(active=False)
    _cancel_unfinished(meeting, now)
    if meeting.vdx_booking_id:
        enqueue(tasks.end_at_vdx, meeting.pk)


def _cancel_unfinished(meeting: Conference, now: datetime) -> None:
    """Cancel the meeting's commands still QUEUED or FETCHED: they will never be executed."""
    Command.objects.filter(conference_device__conference=meeting).unfinished().update(
        status=CommandStatus.CANCELED, finished_at=now, claim_expires_at=None)
