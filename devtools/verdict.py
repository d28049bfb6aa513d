"""What a load run (the soak, the scale demo) left behind, read from the stack's database, the
fake VDX's counters, the simulated tablets and the record of requests; each check a number that
must be 0 (or hold) for the run to pass."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings

from conferences.models import Command, CommandStatus, CommandType, Conference, ConferenceDevice
from conferences.provisioning import external_id
from devtools.load import TABLET_ENDPOINTS, Call, Fleet, MeetingRun

VISIBLY_DONE = (CommandStatus.EXECUTED, CommandStatus.FAILED, CommandStatus.EXPIRED)


@dataclass(frozen=True)
class Check:
    name: str
    value: int | str
    ok: bool
    detail: str = ""


def count(name: str, bad: Iterable[Any], detail: Callable[[list[Any]], str] = str) -> Check:
    """A check that passes when `bad` is empty; the first few offenders are shown."""
    bad = list(bad)
    return Check(name, len(bad), not bad, detail(bad[:5]) if bad else "")


class Facts:
    """The run's outcome, read once after the run."""

    def __init__(self, runs: list[MeetingRun], fleet: Fleet, vdx_state: dict[str, Any]) -> None:
        self.runs = runs
        self.meetings = {m.pk: m for m in Conference.objects.all()}
        self.commands: dict[str, dict[str, Any]] = {
            c["id"]: dict(c) for c in Command.objects.values(
                "id", "type", "status", "created_by_id", "conference_device_id",
                "conference_device__conference_id")}
        self.participants = dict(ConferenceDevice.objects.values_list("id", "conference_id"))
        self.executions = fleet.executions()
        self.booked = Counter(vdx_state["booked"])
        self.vdx = vdx_state

    # --- commands ---------------------------------------------------------------------

    def statuses(self) -> dict[str, Counter[str]]:
        by_type: dict[str, Counter[str]] = defaultdict(Counter)
        for command in self.commands.values():
            by_type[command["type"]][command["status"]] += 1
        return by_type

    def lost_commands(self) -> list[str]:
        """Queued and neither executed nor visibly FAILED or EXPIRED: still waiting, canceled
        (but for the HANGUPs of `hangups_closed_by_grace`), executed by a tablet but not
        recorded so, or answered by the API and not stored."""
        excused = set(self.hangups_closed_by_grace())
        lost = [f"{c['type']} {c['id']} {c['status']}" for c in self.commands.values()
                if c["status"] not in VISIBLY_DONE and c["id"] not in excused]
        lost += [f"{self.commands[i]['type']} {i} executed by its tablet, stored "
                 f"{self.commands[i]['status']}" for i in self.executions
                 if i in self.commands and self.commands[i]["status"] in (
                     CommandStatus.FAILED, CommandStatus.EXPIRED)]
        lost += [f"{i} accepted by the API, not stored" for run in self.runs
                 for i in run.commands if i not in self.commands]
        return lost

    def hangups_closed_by_grace(self) -> list[str]:
        """HANGUPs canceled because the grace period closed their meeting before the tablet
        acknowledged them (its answer lost, its claim not yet expired): the lifecycle's bound
        at work, and the tablet sees the meeting gone at its next poll. Shown, not lost."""
        grace = timedelta(seconds=settings.MEETING_CLOSE_GRACE_SECONDS)
        return [c["id"] for c in self.commands.values()
                if c["type"] == CommandType.HANGUP and c["status"] == CommandStatus.CANCELED
                and (meeting := self.meetings[c["conference_device__conference_id"]]).closed_at
                and meeting.end_requested_at
                and meeting.closed_at >= meeting.end_requested_at + grace]

    def executed_twice(self) -> list[str]:
        return [f"{self.commands.get(i, {}).get('type', '?')} {i} x{n}"
                for i, n in self.executions.items() if n > 1]

    def system_commands_not_once(self, kind: str) -> list[str]:
        """Participants of provisioned meetings (ended ones, for HANGUP) without exactly one
        command of `kind`: a task that ran twice would queue two."""
        seen = Counter(c["conference_device_id"] for c in self.commands.values()
                       if c["type"] == kind)
        wanted = [p for p, m in self.participants.items()
                  if self.meetings[m].provisioned_at is not None
                  and (kind != CommandType.HANGUP or self.meetings[m].end_requested_at)]
        return [f"participant {p} of meeting {self.participants[p]}: {seen[p]}"
                for p in wanted if seen[p] != 1]

    # --- meetings -----------------------------------------------------------------------

    def not_closed(self) -> list[str]:
        return [f"{m.pk} {m.state}" for m in self.meetings.values() if m.state != "CLOSED"]

    def closed_late(self, bound: float) -> list[str]:
        """Meetings CLOSED later than `bound` seconds after their employee ended them."""
        late = []
        for run in self.runs:
            meeting = self.meetings.get(run.id)
            if meeting is None or run.end_requested is None or meeting.closed_at is None:
                continue
            took = meeting.closed_at.timestamp() - run.end_requested
            if took > bound:
                late.append(f"{run.id} closed {took:.0f} s after its end")
        return late

    def unknown_meetings(self) -> list[str]:
        known = {run.id for run in self.runs}
        return [pk for pk in self.meetings if pk not in known]

    def started_unmarked(self) -> list[str]:
        """Meetings a tablet joined (an executed START_MEETING) that never became STARTED."""
        joined = {c["conference_device__conference_id"] for c in self.commands.values()
                  if c["type"] == CommandType.START_MEETING
                  and c["status"] == CommandStatus.EXECUTED}
        return [pk for pk in joined if self.meetings[pk].started_at is None]

    # --- VDX ----------------------------------------------------------------------------

    def bookings_not_one(self) -> list[str]:
        """Every booking round of every meeting booked exactly once (a room given up and
        booked again is a round of its own), and no booking for anything else."""
        wrong, expected = [], set()
        for meeting in self.meetings.values():
            rounds = meeting.booking_round
            for booking_round in range(rounds + 1):
                meeting.booking_round = booking_round  # external_id() of that round
                key = external_id(meeting)
                expected.add(key)
                if self.booked[key] != 1:
                    wrong.append(f"{key}: {self.booked[key]} bookings")
            meeting.booking_round = rounds
        wrong += [f"{key}: booked for no meeting" for key in self.booked if key not in expected]
        return wrong

    def rooms_not_ended(self) -> list[str]:
        return [m.pk for m in self.meetings.values()
                if m.state == "CLOSED" and m.vdx_booking_id and m.vdx_ended_at is None]

    def provisioning_failed(self) -> list[str]:
        return [f"{m.pk}: {m.provisioning_error[:80]}" for m in self.meetings.values()
                if m.provisioning == "FAILED"]


# --- requests ---------------------------------------------------------------------------

def server_errors(calls: Iterable[Call]) -> list[Call]:
    return [c for c in calls if c.status is not None and c.status >= 500]


def unanswered(calls: Iterable[Call]) -> list[Call]:
    return [c for c in calls if c.status is None]


def describe_calls(calls: list[Call]) -> str:
    return "; ".join(f"{c.role} {c.endpoint} {c.status or c.error}" for c in calls)


def tablet_calls(calls: Iterable[Call]) -> list[Call]:
    return [c for c in calls if c.role == "tablet" and c.endpoint in TABLET_ENDPOINTS]


def request_table(calls: list[Call], seconds: float) -> list[str]:
    """Per endpoint: requests, their rate, p50 and p99 latency, 4xx, 5xx, no answer."""
    lines = [f"  {'endpoint':<16}{'requests':>9}{'/s':>7}{'p50 ms':>8}{'p99 ms':>8}"
             f"{'4xx':>7}{'5xx':>6}{'none':>6}"]
    by_endpoint: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        by_endpoint[call.endpoint].append(call)
    for endpoint, group in sorted(by_endpoint.items(), key=lambda item: -len(item[1])):
        ms = sorted((c.end - c.start) * 1000 for c in group)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        lines.append(
            f"  {endpoint:<16}{len(group):>9}{len(group) / seconds:>7.1f}"
            f"{statistics.median(ms):>8.0f}{p99:>8.0f}"
            f"{sum(1 for c in group if c.status and 400 <= c.status < 500):>7}"
            f"{len(server_errors(group)):>6}{len(unanswered(group)):>6}")
    return lines


def phases(runs: list[MeetingRun]) -> str:
    """Median seconds of each phase of a meeting, as its employee saw them."""
    steps = [("created", "provisioned", "room booked"), ("provisioned", "started", "joined"),
             ("started", "end_requested", "commands"), ("end_requested", "closed", "closed")]
    parts = []
    for start, end, name in steps:
        took = [getattr(r, end) - getattr(r, start) for r in runs
                if getattr(r, start) and getattr(r, end)]
        if took:
            parts.append(f"{name} {statistics.median(took):.1f} s")
    return ", ".join(parts)


def print_checks(checks: list[Check], say: Callable[[str], None]) -> bool:
    width = max(len(check.name) for check in checks) + 2
    for check in checks:
        say(f"  {'PASS' if check.ok else 'FAIL'}  {check.name:.<{width}} {check.value}"
            + (f"   ({check.detail})" if check.detail else ""))
    return all(check.ok for check in checks)
