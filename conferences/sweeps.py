"""Periodic jobs (Celery beat): find meetings and commands whose time has come, by their state
in the database — so they also pick up work whose task was lost while the broker was down."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from . import tasks
from .delivery import commands_expire
from .guests import guests_resume
from .lifecycle import meeting_close, meeting_end, meeting_mark_started, meeting_queue_start
from .models import CommandStatus, CommandType, Conference, MeetingState, Provisioning
from .queueing import enqueue


def scheduled_jobs() -> set[str]:
    """The jobs of this module that the beat schedule (settings.CELERY_BEAT_SCHEDULE) runs:
    the only ones the task conferences.sweep runs, whatever a message names."""
    return {entry["args"][0] for entry in settings.CELERY_BEAT_SCHEDULE.values()
            if entry["task"] == "conferences.sweep"}


def _ago(seconds: float) -> datetime:
    return timezone.now() - timedelta(seconds=seconds)


def close_unstarted_meetings() -> int:
    """Meetings nobody started within the start window: counted from their start time, or
    from provisioning if that came later (for a meeting not (yet) provisioned: from its last
    provisioning retry, or its creation)."""
    due = Conference.objects.filter(
        state=MeetingState.CREATED, end_requested_at__isnull=True
    ).annotate(since=Greatest(
        "start_time", Coalesce("provisioned_at", "provisioning_started_at", "created_at"),
    )).filter(since__lte=_ago(settings.MEETING_START_WINDOW_SECONDS))
    return sum(meeting_close(meeting_id=pk, only_if_unstarted=True)
               for pk in due.values_list("pk", flat=True))


def start_due_meetings() -> int:
    """START_MEETING for the tablets of ready meetings whose start time has come (a meeting
    for now had it queued when it was provisioned)."""
    due = Conference.objects.ready().filter(
        state=MeetingState.CREATED, end_requested_at__isnull=True,
        start_queued_at__isnull=True, start_time__lte=timezone.now(),
    )
    return sum(meeting_queue_start(meeting_id=pk) for pk in due.values_list("pk", flat=True))


def end_due_meetings() -> int:
    """Meetings whose end time has come are ended (HANGUP to every tablet): a meeting booked
    ahead at its booked end, a meeting for now after the maximum duration."""
    due = Conference.objects.open().filter(
        end_requested_at__isnull=True, end_time__lte=timezone.now()
    )
    for meeting in due:
        meeting_end(meeting=meeting, ended_by=None)
    return len(due)


def finish_due_closings() -> int:
    due = Conference.objects.open().filter(
        end_requested_at__lte=_ago(settings.MEETING_CLOSE_GRACE_SECONDS)
    )
    return sum(meeting_close(meeting_id=pk) for pk in due.values_list("pk", flat=True))


def resume_lost_work() -> int:
    """Queue again provisioning, moves and endings at VDX and guests' e-mails whose tasks
    have not run for a while, and start the meetings a tablet joined whose start was lost (the
    tablet acknowledged START_MEETING while the broker was down, or the task's worker died)."""
    stale = _ago(settings.PROVISION_STALE_SECONDS)
    # A booked room's provisioning is checked from provisioning.polling_from only.
    polling = timezone.now() + timedelta(
        seconds=settings.MEETING_TABLET_LEAD_SECONDS + settings.PROVISION_TIMEOUT_SECONDS)
    pending = Conference.objects.filter(
        state=MeetingState.CREATED, provisioning=Provisioning.PENDING, created_at__lte=stale,
    ).filter(Q(provisioning_checked_at__isnull=True) | Q(provisioning_checked_at__lte=stale)
             ).filter(Q(vdx_booking_id="") | Q(start_time__lte=polling))
    unmoved = Conference.objects.open().exclude(vdx_booking_id="").filter(
        ~Q(booked_start=F("start_time")) | ~Q(booked_end=F("end_time")),
        provisioning_checked_at__lte=stale)
    # Rooms end on their own at their booked end time: after a day there is nothing left to
    # end, and a room VDX keeps refusing to end must not be retried forever.
    unended = Conference.objects.filter(
        state=MeetingState.CLOSED, vdx_ended_at__isnull=True, closed_at__lte=stale,
        closed_at__gte=_ago(24 * 3600),
    ).exclude(vdx_booking_id="")
    joined = Conference.objects.filter(
        state=MeetingState.CREATED, provisioning=Provisioning.OK, end_requested_at__isnull=True,
        participants__commands__type=CommandType.START_MEETING,
        participants__commands__status=CommandStatus.EXECUTED,
    ).distinct()
    count = sum(meeting_mark_started(meeting_id=pk) for pk in joined.values_list("pk", flat=True))
    for pk in pending.values_list("pk", flat=True):
        enqueue(tasks.provision_meeting, pk)
        count += 1
    for pk in unended.values_list("pk", flat=True):
        enqueue(tasks.end_at_vdx, pk)
        count += 1
    for pk in unmoved.values_list("pk", flat=True):
        enqueue(tasks.reschedule_at_vdx, pk)
        count += 1
    return count + guests_resume(stale)


def expire_commands() -> dict[str, int]:
    return commands_expire()
