"""Booking rooms at VDX and ending them: one step at a time, each safe to repeat. The Celery
tasks run a step and, when it asks to, run it again later."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from flexcare.backoff import backoff_delay

from .guests import invitations_queue
from .lifecycle import (
    meeting_mark_provisioned,
    meeting_mark_provisioning_failed,
    meeting_rebook,
    meeting_record_guest_link,
    same_attempt,
)
from .models import Conference, MeetingState, Provisioning
from .providers import BookingState, Provider, ProviderError, get_provider
from .queueing import enqueue
from .tasks import end_at_vdx, reschedule_at_vdx

logger = logging.getLogger(__name__)


def backoff(attempt: int) -> float:
    """Until the next try: 2, 4, 8 … PROVISION_BACKOFF_MAX_SECONDS, each cut by up to half."""
    return backoff_delay(attempt, base=settings.PROVISION_BACKOFF_SECONDS,
                         cap=settings.PROVISION_BACKOFF_MAX_SECONDS, least=0.5)


def polling_from(meeting: Conference) -> datetime:
    """When the provisioning of a booked room is checked from. VDX provisions a room shortly
    before its start, so a meeting booked ahead is checked only from PROVISION_TIMEOUT_SECONDS
    before its tablets are to see it, and its timeout counts from then."""
    return meeting.start_time - timedelta(
        seconds=settings.MEETING_TABLET_LEAD_SECONDS + settings.PROVISION_TIMEOUT_SECONDS)


def provision_step(*, meeting_id: str) -> float | None:
    """Book the meeting's room (once: the meeting id is the booking's externalId) and check
    its provisioning. Returns seconds until the next step, or None when there is nothing left
    to do (provisioned, failed for good, closed, gone) or nothing until the room's polling
    begins (polling_from: the lost-work job queues the step again then)."""
    meeting = Conference.objects.select_related("customer").filter(pk=meeting_id).first()
    if meeting is None or meeting.provisioning != Provisioning.PENDING:
        return None
    now = timezone.now()
    if meeting.state == MeetingState.CLOSED or now >= meeting.end_time:
        return None
    Conference.objects.filter(pk=meeting.pk).update(provisioning_checked_at=now)
    provider = get_provider()
    try:
        booking_id = meeting.vdx_booking_id or _book(meeting, provider)
        if not booking_id:
            return None  # closed while we were booking; the room was ended
        status = provider.status(booking_id)
    except ProviderError as exc:
        return _failed_attempt(meeting, exc)
    if status.booking is not None:  # the room's links, known before it is provisioned
        meeting_record_guest_link(meeting=meeting, link=status.booking.guest_link)
    if status.state == BookingState.OK and status.booking is not None:
        if status.booking.link_problems:  # the reasons name no link: nothing secret in them
            logger.warning("meeting %s: %s", meeting.pk, " ".join(status.booking.link_problems))
        meeting_mark_provisioned(meeting=meeting, booking=status.booking)
        return None
    if status.state == BookingState.FAILED:
        meeting_mark_provisioning_failed(meeting_id=meeting.pk, error=status.error,
                                         attempt_of=meeting)
        return None
    poll_from = polling_from(meeting)
    if now < poll_from:
        return None
    started = max(meeting.provisioning_started_at or meeting.created_at, poll_from)
    if now - started > timedelta(seconds=settings.PROVISION_TIMEOUT_SECONDS):
        meeting_mark_provisioning_failed(
            meeting_id=meeting.pk, attempt_of=meeting,
            error=f"VDX did not provision the room within {settings.PROVISION_TIMEOUT_SECONDS} s",
        )
        return None
    return settings.PROVISION_POLL_SECONDS


def external_id(meeting: Conference) -> str:
    """The booking's externalId: the meeting id, then `<id>-<n>` for the n-th new room."""
    return meeting.pk if not meeting.booking_round else f"{meeting.pk}-{meeting.booking_round}"


def _book(meeting: Conference, provider: Provider) -> str:
    """Book the room for the meeting's times (a meeting for now from now: its start has
    passed by a moment)."""
    booking_id = provider.book(
        external_id=external_id(meeting),
        subject=f"FlexCare · {meeting.customer.name}",
        start=max(meeting.start_time, timezone.now()),
        end=meeting.end_time,
    )
    Conference.objects.filter(same_attempt(meeting), pk=meeting.pk, vdx_booking_id="").update(
        vdx_booking_id=booking_id, booked_start=meeting.start_time, booked_end=meeting.end_time)
    meeting.refresh_from_db()
    if meeting.state == MeetingState.CLOSED:
        # Closed while the booking was on its way: end the room we just booked.
        enqueue(end_at_vdx, meeting.pk)
        return ""
    if (meeting.booked_start, meeting.booked_end) != (meeting.start_time, meeting.end_time):
        enqueue(reschedule_at_vdx, meeting.pk)  # moved while the booking was on its way
    return meeting.vdx_booking_id


def _failed_attempt(meeting: Conference, exc: ProviderError) -> float | None:
    Conference.objects.filter(same_attempt(meeting), pk=meeting.pk).update(
        provisioning_attempts=F("provisioning_attempts") + 1, provisioning_error=str(exc)[:2000]
    )
    attempts = meeting.provisioning_attempts + 1
    logger.warning("provisioning meeting %s failed (attempt %s): %s", meeting.pk, attempts, exc)
    if not exc.retryable or attempts >= settings.PROVISION_MAX_ATTEMPTS:
        meeting_mark_provisioning_failed(meeting_id=meeting.pk, error=str(exc), attempt_of=meeting)
        return None
    return backoff(attempts)


def vdx_reschedule_step(*, meeting_id: str, attempt: int = 1) -> float | None:
    """Move the booked room to the meeting's times; then the guests' changed invitations can
    go out. A room VDX will not move (it is provisioned already, or VDX keeps failing) is
    given up for a new one booked with the new times. Seconds until a retry, or None."""
    meeting = Conference.objects.open().exclude(vdx_booking_id="").filter(pk=meeting_id).first()
    if meeting is None:
        return None
    start, end = meeting.start_time, meeting.end_time
    if (meeting.booked_start, meeting.booked_end) == (start, end):
        return None
    Conference.objects.filter(pk=meeting.pk).update(provisioning_checked_at=timezone.now())
    provider = get_provider()
    try:
        provider.reschedule(meeting.vdx_booking_id, start=max(start, timezone.now()), end=end)
        status = provider.status(meeting.vdx_booking_id)
    except ProviderError as exc:
        logger.warning("moving meeting %s at VDX failed (attempt %s): %s", meeting.pk, attempt,
                       exc)
        if exc.retryable and attempt < settings.PROVISION_MAX_ATTEMPTS:
            return backoff(attempt)
        meeting_rebook(meeting_id=meeting.pk, booking_id=meeting.vdx_booking_id)
        return None
    Conference.objects.filter(pk=meeting.pk, vdx_booking_id=meeting.vdx_booking_id,
                              start_time=start, end_time=end).update(booked_start=start,
                                                                     booked_end=end)
    if status.booking is not None:  # VDX's links may carry the start (its portal link does)
        meeting_record_guest_link(meeting=meeting, link=status.booking.guest_link)
    invitations_queue(meeting)
    return None


def vdx_end_step(*, meeting_id: str) -> float | None:
    """End a closed meeting's room at VDX; seconds until a retry, or None when done."""
    meeting = Conference.objects.filter(
        pk=meeting_id, state=MeetingState.CLOSED, vdx_ended_at__isnull=True
    ).exclude(vdx_booking_id="").first()
    if meeting is None:
        return None
    delay = _end_booking(meeting.vdx_booking_id, f"meeting {meeting.pk}")
    if delay is None:
        Conference.objects.filter(pk=meeting.pk).update(vdx_ended_at=timezone.now())
    return delay


def booking_discard_step(*, booking_id: str, attempt: int = 1) -> float | None:
    """End a room given up for a new one (see meeting_retry_provisioning). Backs off further
    with each attempt: the id lives only in the task, so the task keeps trying for a while."""
    return _end_booking(booking_id, "a discarded booking", attempt=attempt)


def _end_booking(booking_id: str, what: str, *, attempt: int = 3) -> float | None:
    """None when the room is ended (or there is nothing to end, or never will be)."""
    try:
        get_provider().end(booking_id)
    except ProviderError as exc:
        logger.warning("ending %s at VDX failed: %s", what, exc)
        return backoff(attempt) if exc.retryable else None
    return None
