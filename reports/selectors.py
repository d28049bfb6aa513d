"""Usage per customer and period (docs/domain.md#usage), counted by the database.

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

Days whose meetings are all CLOSED are read from the rollup (reports.models, written by
reports.rollup): sums of per-day rows, and distinct tablets and employees from member rows
per day, week and month. The days after a customer's rollup are counted from the meetings
themselves, and distinct members of both parts are counted together (a UNION), so a period
half rolled up and half live is exact too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Trunc

from accounts.models import Customer
from conferences.models import Command, CommandStatus, Conference, ConferenceDevice, MeetingState
from conferences.models import Provisioning as Prov

from .figures import FIELDS, Figures, meeting_minutes
from .models import Kind, Span, UsageDay, UsageMember
from .periods import Granularity, day_bounds, period_end, periods, truncated, whole_periods


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
SPANS: dict[str, Span] = {
    Granularity.DAY: Span.DAY, Granularity.WEEK: Span.WEEK, Granularity.MONTH: Span.MONTH,
}


@dataclass(frozen=True)
class Days:
    """Local days `first`..`last` (both included) of the customers `customer_ids`."""

    customer_ids: tuple[str, ...]
    first: date
    last: date


@dataclass(frozen=True)
class Meetings:
    """The meetings created on some customers' days; `q` selects them from a model that
    reaches the meeting through `via`."""

    spans: tuple[Days, ...]

    def q(self, via: str = "", *, held: bool = False) -> Q:
        q = Q(pk__in=[])  # matches nothing: no days, no meetings
        for days in self.spans:
            start, end = day_bounds(days.first, days.last)
            q |= Q(**{f"{via}customer_id__in": days.customer_ids,
                      f"{via}created_at__gte": start, f"{via}created_at__lt": end})
        return q & Q(**{f"{via}started_at__isnull": False}) if held else q


def usage_report(*, user: Any, first: date, last: date, granularity: str,
                 customer: Customer | None = None) -> UsageReport:
    """The user's customers' usage from `first` to `last` (local days, both included): one
    row per customer and period, a subtotal per customer and a total. Listed: every customer
    in scope that holds meetings (the FLEXCARE or IPTVBUSINESS feature) or had some in the
    range, or just `customer`. The range is checked by the caller (periods.check_range)."""
    scope = (Customer.objects.for_user(user).order_by("name", "pk").only("name", "features")
             .annotate(through=F("usage_rollup__through")))
    if customer is not None:
        scope = scope.filter(pk=customer.pk)
    candidates = list(scope)
    rolled, live = _split(candidates, first, last)
    by_key = _per_period(rolled, live, first, last, granularity)
    tablets, employees = _distinct_members(rolled, live, first, last)

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


def _per_period(rolled: Meetings, live: Meetings, first: date, last: date,
                granularity: str) -> dict[Key, Figures]:
    """Every figure per (customer, period) with any meeting: rolled-up and live days."""
    by_key = _summed(rolled, granularity)
    for key, figures in counted(live, granularity).items():
        by_key.setdefault(key, Figures()).add(figures)
        if granularity == Granularity.DAY:  # a day is rolled up or live, never both
            by_key[key].tablets += figures.tablets
            by_key[key].employees += figures.employees
    if granularity != Granularity.DAY:  # the sums of days' distinct counts are no count
        for figures in by_key.values():
            figures.tablets = figures.employees = 0
        for customer_id, kind, period, count in _distinct_per_period(
                rolled, live, first, last, granularity):
            figures = by_key.setdefault((customer_id, period), Figures())
            setattr(figures, "tablets" if kind == Kind.TABLET else "employees", count)
    return by_key


def _split(candidates: Iterable[Any], first: date, last: date) -> tuple[Meetings, Meetings]:
    """The days of the range that are rolled up, and those counted live, per customer
    (customers sharing the same days share a span: usually all of them)."""
    rolled: dict[tuple[date, date], list[str]] = defaultdict(list)
    live: dict[tuple[date, date], list[str]] = defaultdict(list)
    for candidate in candidates:
        through = candidate.through or first - timedelta(days=1)
        if through >= first:
            rolled[first, min(through, last)].append(candidate.pk)
        if through < last:
            live[max(first, through + timedelta(days=1)), last].append(candidate.pk)
    rolled_days, live_days = (
        Meetings(tuple(Days(tuple(ids), *days) for days, ids in spans.items()))
        for spans in (rolled, live))
    return rolled_days, live_days


def _summed(rolled: Meetings, granularity: str) -> dict[Key, Figures]:
    """The rolled-up days' figures per (customer, period), summed from the day rows; a day's
    distinct counts are its own, so they are right for granularity day only."""
    q = Q(pk__in=[])
    for days in rolled.spans:
        q |= Q(customer_id__in=days.customer_ids, day__gte=days.first, day__lte=days.last)
    day_rows = UsageDay.objects.filter(q).order_by()
    if granularity == Granularity.DAY:  # a row per day already (a year of them: keep it lean)
        rows = day_rows.values_list("customer_id", "day", *FIELDS)
    else:
        rows = (day_rows.values("customer_id", period=Trunc("day", granularity))
                .annotate(**{name: Sum(name) for name in FIELDS})
                .values_list("customer_id", "period", *FIELDS))
    return {(customer_id, period): Figures(*figures)
            for customer_id, period, *figures in rows}


def counted(meetings: Meetings, granularity: str) -> dict[Key, Figures]:
    """Every figure per (customer, period) counted from the meetings themselves: three
    grouped queries, one per table (joining them first would multiply the rows the sums run
    over)."""
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


def live_members(meetings: Meetings, granularity: str | None) -> list[QuerySet]:
    """(customer, kind, [period,] member) of the tablets in held meetings and the employees
    who created meetings, each listed once; without `granularity`, over the whole span."""

    def columns(qs: QuerySet, customer: str, kind: str, created: str, member: str) -> QuerySet:
        named = {"c": F(customer), "k": Value(kind, output_field=CharField())}
        if granularity:
            named["p"] = truncated(created, granularity)
        named["m"] = F(member)
        return qs.order_by().annotate(**named).values_list(*named).distinct()

    via = "conference__"
    return [
        columns(ConferenceDevice.objects.filter(meetings.q(via, held=True)),
                f"{via}customer_id", Kind.TABLET, f"{via}created_at", "device_id"),
        columns(Conference.objects.filter(meetings.q(), employee__isnull=False),
                "customer_id", Kind.EMPLOYEE, "created_at", "employee_id"),
    ]


def _rolled_members(rolled: Meetings, first: date, last: date, granularity: str | None,
                    whole: str, *, skip_settled: bool = False) -> list[QuerySet]:
    """Members of the rolled-up days: from the `whole` span's rows (week or month) for
    periods wholly inside the range, from the day rows for the days around them. Per
    `granularity`'s period, or over the whole range without one. `skip_settled`: without the
    whole periods that are wholly rolled up (counted on their own).

    One queryset per kind of row and span of days, each a plain range of the member index,
    which PostgreSQL then reads alone (ORed conditions would make it visit the table)."""
    full = whole_periods(first, last, whole)
    named: dict[str, F | Trunc] = {"c": F("customer_id"), "k": F("kind")}
    if granularity:
        named["p"] = Trunc("start", granularity)
    named["m"] = F("member")
    conditions = []
    for days in rolled.spans:
        wanted = [start for start in full if start <= days.last and not (
            skip_settled and period_end(start, whole) <= days.last)]
        if wanted:
            conditions.append(Q(customer_id__in=days.customer_ids, span=SPANS[whole],
                                start__in=wanted))
        # The whole periods are one run: the days before it and after it.
        edges = [(days.first, min(days.last, full[0] - timedelta(days=1))),
                 (max(days.first, period_end(full[-1], whole) + timedelta(days=1)), days.last),
                 ] if full else [(days.first, days.last)]
        conditions += [Q(customer_id__in=days.customer_ids, span=Span.DAY, start__gte=low,
                         start__lte=high) for low, high in edges if low <= high]
    return [UsageMember.objects.filter(q).order_by().annotate(**named).values_list(*named)
            for q in conditions]


def _distinct_per_period(rolled: Meetings, live: Meetings, first: date, last: date,
                         granularity: str) -> list[tuple[str, str, date, int]]:
    """Distinct tablets and employees per (customer, period). A period wholly in the range
    and wholly rolled up has exactly one member row per member: those are counted as they
    are. The other periods (at the ends of the range, or with live days) unite the members
    of their rolled-up days and of their live days in the database, then count them."""
    full = whole_periods(first, last, granularity)
    settled = Q(pk__in=[])
    for days in rolled.spans:
        done = [start for start in full if period_end(start, granularity) <= days.last]
        settled |= Q(customer_id__in=days.customer_ids, start__in=done)
    counts = [
        (c, k, p, n) for c, k, p, n in
        UsageMember.objects.filter(settled, span=SPANS[granularity]).order_by()
        .values_list("customer_id", "kind", "start").annotate(n=Count("*"))
    ]
    parts = [*_rolled_members(rolled, first, last, granularity, granularity,
                              skip_settled=True),
             *live_members(live, granularity)]
    try:
        sql, params = parts[0].union(*parts[1:]).query.sql_with_params()
    except EmptyResultSet:  # every period wholly rolled up, no live day: nothing to unite
        return counts
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c, k, p, COUNT(*) FROM ({sql}) u GROUP BY c, k, p",  # noqa: S608
                       params)
        counts += [(c, k, _as_date(p), n) for c, k, p, n in cursor.fetchall()]
    return counts


def _as_date(value: Any) -> date:
    # SQLite hands raw SQL dates back as text.
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _distinct_members(rolled: Meetings, live: Meetings, first: date,
                      last: date) -> tuple[dict[str, set], dict[str, set]]:
    """Per customer, the tablets used and the employees who created meetings over the whole
    range (the database lists each once): its subtotal's distinct counts, and the total's as
    their union."""
    parts = [*_rolled_members(rolled, first, last, None, Granularity.MONTH),
             *live_members(live, None)]
    tablets: dict[str, set] = defaultdict(set)
    employees: dict[str, set] = defaultdict(set)
    for customer_id, kind, member in parts[0].union(*parts[1:]):
        (tablets if kind == Kind.TABLET else employees)[customer_id].add(member)
    return tablets, employees
