"""The tablets' polls (docs/api.md#tablet-endpoints), near the floor of a DRF call.

Each poll is one SQL statement from the token to what the poll needs: getmeeting the
tablet's ready meeting and its version (which decides the 304 before anything is rendered;
the document itself is cached per version, conferences.documents), getcommands and the
acknowledgement the tablet's place in the meeting they name (getcommands also whether
anything waits to be claimed). Nothing of it is cached, so a revoked or reset token, a
blocked customer or a closed meeting is refused at the very next poll.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from devices.models import Device, DeviceToken
from flexcare.fast_read import read_row
from flexcare.secrets import secret_digest

from .delivery import DELIVERABLE_SQL, db_datetime, deliverable_params
from .models import READY_STATES, ConferenceDevice, MeetingState, Provisioning

# The poll's statement: the token's tablet (from the token rule, below), its customer and last
# seen, and the poll's own columns and joins. Raw SQL, with subqueries where a join would do:
# compiling it through the ORM on every poll, or planning a join of five tables, would each
# cost more than the floor of a DRF call. It is prepared on PostgreSQL (flexcare.fast_read),
# so the server plans it once per connection.
_POLL_SQL = """
SELECT d.id, d.customer_id, d.last_seen_at{columns}
FROM ({tokens}) t
LEFT JOIN devices_device d ON d.id = t.device_id{joins}
"""


@functools.cache
def _token_rule() -> tuple[str, tuple[Any, ...]]:
    """The tokens accounts.tokens.token_check accepts (DeviceToken.objects.usable(): not
    revoked, the tablet's customer not blocked), as SQL with its parameters, compiled from
    that queryset once: a rule added there reaches the polls. The digest is a slot filled on
    each poll. Tablet tokens never expire (DeviceToken.expired_by matches none; a test holds
    it), so the rule needs no moment."""
    tokens = DeviceToken.objects.usable().matching(_TOKEN_SLOT).order_by().values("device_id")
    sql, params = tokens.query.sql_with_params()
    if params.count(_DIGEST_SLOT) != 1:
        raise ImproperlyConfigured("The poll's token rule should look up one digest.")
    return sql, params


@functools.cache
def _statement(columns: str, joins: str) -> str:
    """The text of one of the polls' few statements, put together once."""
    return _POLL_SQL.format(columns=columns, tokens=_token_rule()[0], joins=joins)


_TOKEN_SLOT = "poll-token-slot"  # noqa: S105 (no secret: a placeholder, replaced by each poll's digest)
_DIGEST_SLOT = secret_digest(_TOKEN_SLOT)


def _one_of(values: Iterable[str]) -> str:
    """An SQL list of code constants (choice values, plain words), written into the SQL."""
    return ", ".join(f"'{value}'" for value in values)


# The tablet's ready meeting as "<id> <version>": of its open participations (the exclusion
# constraint's partial index finds them), a meeting ready (ConferenceQuerySet.ready()) and
# shown to tablets by now (.visible_to_tablets(): the parameter is now + the lead; tests hold
# the SQL and the two equal). Of several, the one that starts first (the meeting under way
# before the next one shown ahead of its start), then the newest. Decided on every poll,
# never cached: a meeting booked ahead becomes visible with time alone, no write bumps a
# version then, and it is its id in the ETag that makes the next poll's answer new.
_MEETING_COLUMN = f""",
       (SELECT m.id || ' ' || m.version
        FROM conferences_conferencedevice p
        JOIN conferences_conference m ON m.id = p.conference_id
        WHERE p.device_id = d.id AND p.active
          AND m.state IN ({_one_of(READY_STATES)})
          AND m.provisioning = '{Provisioning.OK}'
          AND m.start_time <= %s
        ORDER BY m.start_time, m.created_at DESC, m.id DESC
        LIMIT 1)"""  # noqa: S608 (constants)

# The tablet's place in the meeting named in the path, and that meeting if it counts: an open
# one (ConferenceQuerySet.open()) unless closed ones count too.
_PARTICIPATION_JOIN = """
LEFT JOIN conferences_conferencedevice p ON p.conference_id = %s AND p.device_id = d.id"""
_PARTICIPATION_COLUMNS = """, p.id,
       (SELECT m.id FROM conferences_conference m WHERE m.id = p.conference_id{open})"""
_OPEN = f" AND m.state <> '{MeetingState.CLOSED}'"
_DELIVERABLE_COLUMN = f""",
       EXISTS (SELECT 1 FROM conferences_command
               WHERE conference_device_id = p.id AND {DELIVERABLE_SQL})"""  # noqa: S608 (constants)

@dataclass(frozen=True)
class Poll:
    """What a poll's statement found for a valid token. `device` is None when the token's
    tablet registration was deleted; of it only the id, customer and last seen are read."""

    device: Device | None
    # getmeeting: the tablet's ready meeting, and its version. getcommands, acknowledgement:
    # the meeting of the path if the tablet is in it (and it is open, unless closed ones
    # count), with the tablet's place in it.
    meeting_id: str | None = None
    version: int = 0
    participant_id: str | None = None
    deliverable: bool = False  # getcommands: something waits to be claimed

    @property
    def participant(self) -> ConferenceDevice | None:
        """The tablet's place in the meeting, read partly (ids)."""
        if self.participant_id is None or self.meeting_id is None or self.device is None:
            return None
        return ConferenceDevice(id=self.participant_id, conference_id=self.meeting_id,
                                device_id=self.device.pk)


def meeting_poll(token: object) -> Poll | None:
    """getmeeting's statement: None when the token is unknown, revoked or refused."""
    latest_start = timezone.now() + timedelta(seconds=settings.MEETING_TABLET_LEAD_SECONDS)
    found = _poll(token, _MEETING_COLUMN, "",
                  [connection.ops.adapt_datetimefield_value(latest_start)], [])
    if found is None or found[0] is None:
        return None if found is None else Poll(None)
    device, (meeting,) = found
    if meeting is None:
        return Poll(device)
    meeting_id, version = meeting.split(" ")
    return Poll(device, meeting_id=meeting_id, version=int(version))


def participation_poll(
    token: object, meeting_id: str, *, include_closed: bool = False, deliverable: bool = False
) -> Poll | None:
    """getcommands' and the acknowledgement's statement: None when the token is unknown,
    revoked or refused. `participant_id` is None when the meeting is not the tablet's (or
    closed, unless `include_closed`): the caller says why (selectors.tablet_participation)."""
    columns = _PARTICIPATION_COLUMNS.format(open="" if include_closed else _OPEN)
    columns += _DELIVERABLE_COLUMN if deliverable else ", NULL"
    params = deliverable_params(timezone.now()) if deliverable else []
    found = _poll(token, columns, _PARTICIPATION_JOIN, params, [meeting_id])
    if found is None or found[0] is None:
        return None if found is None else Poll(None)
    device, (participant_id, found_meeting_id, waiting) = found
    if found_meeting_id is None:
        return Poll(device)
    return Poll(device, meeting_id=found_meeting_id, participant_id=participant_id,
                deliverable=bool(waiting))


def _poll(
    token: object, columns: str, joins: str, params: list[Any], join_params: list[Any]
) -> tuple[Device | None, tuple[Any, ...]] | None:
    if not isinstance(token, str) or not token:
        return None
    digest = secret_digest(token)
    token_params = _token_rule()[1]
    row = read_row(_statement(columns, joins), [
        *params, *(digest if param == _DIGEST_SLOT else param for param in token_params),
        *join_params,
    ])
    if row is None:
        return None
    device_id, customer_id, last_seen_at, *rest = row
    if device_id is None:
        return None, ()
    # The fields not read are deferred: touching one reads it from the database.
    device = Device.from_db(connection.alias, ["id", "customer_id", "last_seen_at"],
                            [device_id, customer_id, last_seen_at and db_datetime(last_seen_at)])
    return device, tuple(rest)
