"""Every command status by every event (docs/domain.md#command-lifecycle). Expected table by
hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from conferences.delivery import command_acknowledge, command_claim, commands_expire
from conferences.lifecycle import meeting_close
from conferences.models import Command
from flexcare.errors import Conflict
from tests.factories import MeetingFactory, queue

pytestmark = pytest.mark.django_db


def _status(command: Command, **fields) -> None:
    Command.objects.filter(pk=command.pk).update(**fields)


def _past() -> datetime:
    return timezone.now() - timedelta(seconds=1)


# How to put a command into each state (the rows).
STATES: dict[str, dict[str, Any]] = {
    "queued": {},
    "fetched": {"status": "FETCHED", "delivery_count": 1,
                "claim_expires_at": timezone.now() + timedelta(hours=1)},
    "claim_expired": {"status": "FETCHED", "delivery_count": 1},
    "exhausted": {"status": "FETCHED", "delivery_count": 5},
    "executed": {"status": "EXECUTED", "delivery_count": 1, "executed_at": timezone.now()},
    "failed": {"status": "FAILED", "delivery_count": 1},
    "expired": {"status": "EXPIRED"},
    "canceled": {"status": "CANCELED"},
}


def _event(name: str, command: Command, participant) -> Any:  # what the event's service returns
    if name == "claim":
        return [c.pk for c in command_claim(participant=participant)]
    if name in ("ack", "ack_failure"):
        try:
            command_acknowledge(participant=participant,
                                command_id=command.pk, success=name == "ack")
        except Conflict:
            return "409"
        return "ok"
    if name == "sweep":
        return commands_expire()
    if name == "sweep_after_ttl":
        with time_machine.travel(timezone.now() + timedelta(
                seconds=settings.COMMAND_TTL_SECONDS + 1), tick=False):
            return commands_expire()
    if name == "close":
        return meeting_close(meeting_id=participant.conference_id)
    raise AssertionError(name)


EVENTS = ("claim", "ack", "ack_failure", "sweep", "sweep_after_ttl", "close")
# Status after each event; a "!" marks an acknowledgement refused with 409 `command`, a "+"
# a claim that delivered the command.
TABLE = {
    #                claim        ack          ack_failure  sweep       sweep_after_ttl  close
    "queued":        ("FETCHED+", "EXECUTED",  "FAILED",    "QUEUED",   "EXPIRED",   "CANCELED"),
    "fetched":       ("FETCHED",  "EXECUTED",  "FAILED",    "FETCHED",  "EXPIRED",   "CANCELED"),
    "claim_expired": ("FETCHED+", "EXECUTED",  "FAILED",    "FETCHED",  "EXPIRED",   "CANCELED"),
    "exhausted":     ("FETCHED",  "EXECUTED",  "FAILED",    "FAILED",   "EXPIRED",   "CANCELED"),
    "executed":      ("EXECUTED", "EXECUTED",  "EXECUTED!", "EXECUTED", "EXECUTED",  "EXECUTED"),
    "failed":        ("FAILED",   "FAILED!",   "FAILED",    "FAILED",   "FAILED",    "FAILED"),
    "expired":       ("EXPIRED",  "EXPIRED!",  "EXPIRED!",  "EXPIRED",  "EXPIRED",   "EXPIRED"),
    "canceled":      ("CANCELED", "CANCELED!", "CANCELED!", "CANCELED", "CANCELED",  "CANCELED"),
}
CASES = [(state, event, expected) for state, row in TABLE.items()
         for event, expected in zip(EVENTS, row, strict=True)]


@pytest.mark.parametrize(("state", "event", "expected"), CASES,
                         ids=[f"{s}-{e}" for s, e, _x in CASES])
def test_command_transition(state, event, expected):
    meeting = MeetingFactory.create()
    participant = meeting.participants.select_related("device").get()
    command = queue(meeting, participant.device, "HANGUP")
    fields = dict(STATES[state])
    if state in ("claim_expired", "exhausted"):
        fields["claim_expires_at"] = _past()
    _status(command, **fields)
    before = Command.objects.get(pk=command.pk)
    outcome = _event(event, command, participant)
    after = Command.objects.get(pk=command.pk)
    assert after.status == expected.rstrip("+!")
    if event == "claim":
        delivered = command.pk in outcome
        assert delivered == expected.endswith("+")
        assert after.delivery_count == before.delivery_count + delivered
    if event.startswith("ack"):
        assert (outcome == "409") == expected.endswith("!")
    if after.status == before.status:
        assert (after.executed_at, after.finished_at) == (before.executed_at, before.finished_at)
    else:
        # Happens once: the same event again changes nothing more.
        _event(event, command, participant)
        again = Command.objects.get(pk=command.pk)
        assert (again.status, again.finished_at) == (after.status, after.finished_at)
