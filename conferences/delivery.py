"""Getting commands to tablets: atomic claims, idempotent acknowledgements, expiry
(docs/domain.md#command-lifecycle)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flexcare.errors import Conflict, NotFound, lazy_format

from . import tasks
from .models import (
    UNFINISHED_STATUSES,
    Command,
    CommandStatus,
    CommandType,
    Conference,
    ConferenceDevice,
)
from .queueing import enqueue

_CLAIM_SQL = """
UPDATE conferences_command
SET status = 'FETCHED', delivery_count = delivery_count + 1,
    fetched_at = COALESCE(fetched_at, %s), claim_expires_at = %s
WHERE id IN (
    SELECT id FROM conferences_command
    WHERE conference_device_id = %s AND {deliverable}
    ORDER BY created_at, id {lock}
) AND {deliverable}
RETURNING id, type, value, volume, quality, status, delivery_count, created_at
"""
# A command a poll may claim (of conferences_command, unqualified; parameters from
# deliverable_params). Repeated in the claim's outer WHERE on purpose: under concurrency
# PostgreSQL re-checks these on the newest row version, so a row another poll claimed
# meanwhile is skipped, not re-claimed.
DELIVERABLE_SQL = (
    "(status = 'QUEUED' OR (status = 'FETCHED' AND claim_expires_at <= %s))"
    " AND created_at > %s AND delivery_count < %s"
)


def deliverable_params(now: datetime) -> list[object]:
    """The parameters of DELIVERABLE_SQL at `now`."""
    oldest = now - timedelta(seconds=settings.COMMAND_TTL_SECONDS)
    return [now, oldest, settings.COMMAND_MAX_DELIVERIES]


@transaction.atomic(savepoint=False)  # nothing to undo on its own: it fails whole or not at all
def command_claim(*, participant: ConferenceDevice) -> list[Command]:
    """Hand the tablet its deliverable commands, oldest first, in one UPDATE … RETURNING.

    Claimed commands are FETCHED until `COMMAND_CLAIM_SECONDS` from now; a concurrent poll
    gets none of them. Unacknowledged ones come back after the claim expires, until
    `COMMAND_MAX_DELIVERIES`; commands older than `COMMAND_TTL_SECONDS` are never delivered.
    The tablets' poll calls it only when it saw something to claim (conferences.polling).
    """
    now = timezone.now()
    until = now + timedelta(seconds=settings.COMMAND_CLAIM_SECONDS)
    # `fetched` is in the meeting's document. The meeting's row is locked first, as every
    # writer of its commands does, so that no two writers wait for each other.
    Conference.objects.filter(pk=participant.conference_id).touch()
    # SKIP LOCKED lets a concurrent poll pass over rows being claimed instead of queueing
    # behind them; SQLite has no row locks (it serialises writers), so it needs none.
    lock = "FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    sql = _CLAIM_SQL.format(deliverable=DELIVERABLE_SQL, lock=lock)
    params = [now, until, participant.pk, *deliverable_params(now), *deliverable_params(now)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    commands = [
        Command(
            id=row[0], conference_device_id=participant.pk, type=row[1],
            value=None if row[2] is None else bool(row[2]), volume=row[3], quality=row[4],
            status=row[5], delivery_count=row[6], created_at=db_datetime(row[7]),
        )
        for row in rows
    ]
    commands.sort(key=lambda command: (command.created_at, command.pk))
    return commands


def db_datetime(value: datetime | str) -> datetime:
    """A timestamp read by raw SQL, timezone-aware: SQLite returns naive UTC datetimes, and
    raw RETURNING values as text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


@transaction.atomic
def command_acknowledge(
    *, participant: ConferenceDevice, command_id: str, success: bool = True,
    error: str = "",
) -> Command:
    """The tablet reports a command executed (or failed). Idempotent: repeating it changes
    nothing and answers the same. A START_MEETING executed starts the meeting (on commit)."""
    mine = Command.objects.filter(pk=command_id, conference_device=participant)
    # The meeting's row first (see command_claim), and only when there is something to change.
    Conference.objects.filter(Exists(mine.unfinished()), pk=participant.conference_id).touch()
    command = mine.first()
    if command is None:
        raise NotFound("command", _("Command not found"))
    now = timezone.now()
    target = CommandStatus.EXECUTED if success else CommandStatus.FAILED
    finished = {
        "status": target, "executed_at": now if success else None, "finished_at": now,
        "error": "" if success else error[:2000], "claim_expires_at": None,
        # A command the tablet saw in getmeeting and ran without fetching still counts as
        # delivered.
        "delivery_count": max(command.delivery_count, 1),
        "fetched_at": command.fetched_at or now,
    }
    # An unfinished command was read under its meeting's lock (taken above), which every
    # writer of its commands takes first: the row written is the row read, so the command is
    # answered as written without reading it again. A finished one stays finished (no status
    # leads back), so a repeated acknowledgement writes nothing and needs no UPDATE to say so.
    changed = 0
    if command.status in UNFINISHED_STATUSES:
        changed = mine.unfinished().update(**finished)
    if changed:
        for field, value in finished.items():
            setattr(command, field, value)
    elif command.status != target:
        raise Conflict("command", lazy_format(_("Command is %(status)s"),
                                              status=command.status.lower()))
    if changed and success:
        # START_MEETING executed starts the meeting; the last HANGUP executed closes it.
        follow_up = {CommandType.START_MEETING: tasks.mark_meeting_started,
                     CommandType.HANGUP: tasks.finish_closing}.get(command.type)
        if follow_up is not None:
            enqueue(follow_up, participant.conference_id)
    return command


@transaction.atomic
def commands_expire() -> dict[str, int]:
    """Finish commands that can no longer be delivered: too old → EXPIRED; delivered the
    maximum number of times without an acknowledgement → FAILED. Safe to run concurrently."""
    now = timezone.now()
    too_old = Q(created_at__lte=now - timedelta(seconds=settings.COMMAND_TTL_SECONDS))
    worn_out = Q(status=CommandStatus.FETCHED, delivery_count__gte=settings.COMMAND_MAX_DELIVERIES,
                 claim_expires_at__lte=now)
    due = Command.objects.unfinished().filter(too_old | worn_out)
    # Their meetings' rows first (see command_claim), in id order, so that two runs cannot
    # deadlock; then only the commands of the meetings locked, whose versions were bumped.
    meetings = list(
        Conference.objects.filter(pk__in=due.values("conference_device__conference_id"))
        .select_for_update().order_by("pk").values_list("pk", flat=True)
    )
    if not meetings:
        return {"expired": 0, "failed": 0}
    Conference.objects.filter(pk__in=meetings).touch()
    unfinished = Command.objects.unfinished().filter(conference_device__conference__in=meetings)
    expired = unfinished.filter(too_old).update(
        status=CommandStatus.EXPIRED, finished_at=now, claim_expires_at=None
    )
    failed = unfinished.filter(worn_out).update(
        status=CommandStatus.FAILED, finished_at=now, claim_expires_at=None,
        error="Not acknowledged after the maximum number of deliveries",
    )
    return {"expired": expired, "failed": failed}
