"""Usage per customer and period (PRODUCT.md §4 Usage), counted by the database.

A meeting belongs to the period of the local day it was created on. Every figure is an
aggregate grouped by customer and truncated local date, in a constant handful of queries
whatever the range or the number of customers:

* meetings — reached STARTED; meetingsNotStarted — CLOSED without ever being STARTED (a
  meeting still open and not started is neither, yet);
* minutes — STARTED to CLOSED, each meeting rounded up to whole minutes (a meeting still in
  progress adds its minutes when it closes);
* tablets — distinct tablets taking part in meetings that reached STARTED;
* employees — distinct employees who created meetings (started or not);
* commands — every command queued for the meetings' tablets (by employees or the system);
  commandsFailed — those that ended FAILED;
* provisioningFailures — meetings whose provisioning is FAILED.

Distinct counts do not add up across periods or customers, so the subtotal of each customer
and the total are counted again by the database, never summed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Q, Sum

from accounts.models import Customer
from conferences.models import Command, CommandStatus, Conference, ConferenceDevice, MeetingState
from conferences.models import Provisioning as Prov

from .figures import Figures, meeting_minutes
from .periods import day_bounds, periods, truncated


@dataclass(frozen=True)
class CustomerRef:
    id: str
    name: str


@dataclass
class UsageRow:
    period: date
    customer: CustomerRef
    figures: Figures


@dataclass
class UsageReport:
    first: date
    last: date
    granularity: str
    rows: list[UsageRow] = field(default_factory=list)
    subtotals: list[tuple[CustomerRef, Figures]] = field(default_factory=list)
    total: Figures = field(default_factory=Figures)
    # Every period's additive figures over all customers (the chart's meetings and minutes).
    per_period: list[tuple[date, Figures]] = field(default_factory=list)


Key = tuple[str, date]


@dataclass(frozen=True)
class _Meetings:
    """The meetings counted: created from `start` to `end` by one of `customer_ids`; `q`
    selects them from a model that reaches the meeting through `via`."""

    customer_ids: list[str]
    start: datetime
    end: datetime

    def q(self, via: str = "", *, held: bool = False) -> Q:
        q = Q(**{f"{via}customer_id__in": self.customer_ids, f"{via}created_at__gte": self.start,
                 f"{via}created_at__lt": self.end})
        return q & Q(**{f"{via}started_at__isnull": False}) if held else q


def usage_report(*, user: Any, first: date, last: date, granularity: str,
                 customer: Customer | None = None) -> UsageReport:
    """The user's customers' usage from `first` to `last` (local days, both included): one
    row per customer and period, a subtotal per customer and a total. Listed: every customer
    in scope that holds meetings (the FLEXCARE or IPTVBUSINESS feature) or had some in the
    range, or just `customer`. The range is checked by the caller (periods.check_range)."""
    scope = Customer.objects.for_user(user).order_by("name", "pk").only("name", "features")
    if customer is not None:
        scope = scope.filter(pk=customer.pk)
    candidates = list(scope)
    in_range = _Meetings([c.pk for c in candidates], *day_bounds(first, last))
    by_key = _counted(in_range, granularity)
    tablets, employees = _distinct_members(in_range)

    report = UsageReport(first, last, granularity)
    used = {customer_id for customer_id, _ in by_key}
    starts = periods(first, last, granularity)
    chart = {start: Figures() for start in starts}
    for candidate in candidates:
        if not (candidate == customer or candidate.has_meeting_feature or candidate.pk in used):
            continue
        ref = CustomerRef(candidate.pk, candidate.name)
        subtotal = Figures(tablets=len(tablets[ref.id]), employees=len(employees[ref.id]))
        for period in starts:
            figures = by_key.get((ref.id, period)) or Figures()
            report.rows.append(UsageRow(period, ref, figures))
            subtotal.add(figures)
            chart[period].add(figures)
        report.subtotals.append((ref, subtotal))
        report.total.add(subtotal)
    listed = {ref.id for ref, _ in report.subtotals}
    report.total.tablets = len(set().union(*(tablets[pk] for pk in listed)))
    report.total.employees = len(set().union(*(employees[pk] for pk in listed)))
    report.per_period = list(chart.items())
    return report


def _counted(meetings: _Meetings, granularity: str) -> dict[Key, Figures]:
    """Every figure per (customer, period) with any meeting: three grouped queries, one per
    table (joining them first would multiply the rows the sums run over)."""
    held = Q(started_at__isnull=False)
    closed = Q(state=MeetingState.CLOSED)
    by_key: dict[Key, Figures] = defaultdict(Figures)
    for row in (
        Conference.objects.filter(meetings.q()).order_by()
        .values("customer_id", period=truncated("created_at", granularity))
        .annotate(
            meetings=Count("pk", filter=held),
            meetings_not_started=Count("pk", filter=closed & ~held),
            minutes=Sum(meeting_minutes(), filter=closed & held),
            employees=Count("employee_id", distinct=True),
            provisioning_failures=Count("pk", filter=Q(provisioning=Prov.FAILED)),
        )
    ):
        figures = by_key[row.pop("customer_id"), row.pop("period")]
        for name, value in row.items():
            setattr(figures, name, int(value or 0))
    via = "conference__"
    for row in (
        ConferenceDevice.objects.filter(meetings.q(via, held=True)).order_by()
        .values(customer=F(f"{via}customer_id"), period=truncated(f"{via}created_at", granularity))
        .annotate(tablets=Count("device_id", distinct=True))
    ):
        by_key[row["customer"], row["period"]].tablets = row["tablets"]
    via = "conference_device__conference__"
    for row in (
        Command.objects.filter(meetings.q(via)).order_by()
        .values(customer=F(f"{via}customer_id"), period=truncated(f"{via}created_at", granularity))
        .annotate(commands=Count("pk"),
                  commands_failed=Count("pk", filter=Q(status=CommandStatus.FAILED)))
    ):
        figures = by_key[row["customer"], row["period"]]
        figures.commands, figures.commands_failed = row["commands"], row["commands_failed"]
    return dict(by_key)


def _distinct_members(meetings: _Meetings) -> tuple[dict[str, set], dict[str, set]]:
    """Per customer, the tablets used and the employees who created meetings over the whole
    range (the database lists each pair once): its subtotal's distinct counts, and the
    total's as their union."""
    tablets: dict[str, set] = defaultdict(set)
    employees: dict[str, set] = defaultdict(set)
    for customer_id, device_id in (
        ConferenceDevice.objects.filter(meetings.q("conference__", held=True)).order_by()
        .values_list("conference__customer_id", "device_id").distinct()
    ):
        tablets[customer_id].add(device_id)
    for customer_id, employee_id in (
        Conference.objects.filter(meetings.q(), employee__isnull=False).order_by()
        .values_list("customer_id", "employee_id").distinct()
    ):
        employees[customer_id].add(employee_id)
    return tablets, employees
