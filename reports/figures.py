"""The usage figures of one customer (or of all) in one period, and their wire names."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from django.db.models import F, FloatField, Func
from django.db.models.functions import Ceil

if TYPE_CHECKING:
    from django.db.models.sql.compiler import _AsSqlType  # (SQL, parameters) in the stubs

# Python name → the contract's JSON/CSV name (docs/api.md#usage-report), in the contract's order.
WIRE_NAMES = {
    "meetings": "meetings",
    "meetings_not_started": "meetingsNotStarted",
    "minutes": "minutes",
    "tablets": "tablets",
    "employees": "employees",
    "commands": "commands",
    "commands_failed": "commandsFailed",
    "provisioning_failures": "provisioningFailures",
}
@dataclass(slots=True)
class Figures:
    meetings: int = 0
    meetings_not_started: int = 0
    minutes: int = 0
    tablets: int = 0
    employees: int = 0
    commands: int = 0
    commands_failed: int = 0
    provisioning_failures: int = 0

    def add(self, other: Figures) -> None:
        """Adds the figures of `other` that add up across periods and customers; tablets and
        employees are distinct counts, which the database counts again over every span they
        are shown for. Spelled out: it runs for every row of a year by day."""
        self.meetings += other.meetings
        self.meetings_not_started += other.meetings_not_started
        self.minutes += other.minutes
        self.commands += other.commands
        self.commands_failed += other.commands_failed
        self.provisioning_failures += other.provisioning_failures

    def values(self) -> tuple[int, ...]:
        """In the order of WIRE_NAMES."""
        return (self.meetings, self.meetings_not_started, self.minutes, self.tablets,
                self.employees, self.commands, self.commands_failed, self.provisioning_failures)

    def wire(self) -> dict[str, int]:
        return dict(zip(_WIRE, self.values(), strict=True))


FIELDS = tuple(field.name for field in fields(Figures))  # the order of WIRE_NAMES too
_WIRE = tuple(WIRE_NAMES.values())


class _Seconds(Func):
    """Seconds from `start` to `end`, to the millisecond on SQLite (where julianday's float
    would otherwise make an exact minute a hair longer)."""

    arity = 2

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> _AsSqlType:
        return self.as_sql(compiler, connection,
                           template="EXTRACT(EPOCH FROM (%(expressions)s))", arg_joiner=" - ",
                           **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> _AsSqlType:
        return self.as_sql(compiler, connection,
                           template="ROUND((julianday(%(expressions)s)) * 86400000) / 1000.0",
                           arg_joiner=") - julianday(", **extra)


def meeting_minutes(started: str = "started_at", closed: str = "closed_at") -> Ceil:
    """A meeting's time in whole minutes, a started minute counting as one: every meeting's
    minutes are whole, so periods and customers add up exactly."""
    return Ceil(_Seconds(F(closed), F(started), output_field=FloatField()) / 60.0)
