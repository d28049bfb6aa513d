"""Rolling up customers' days whose meetings are all CLOSED (reports.models explains why
such a day never changes again). Run by beat every few minutes (reports.tasks) and by
`manage.py rollup_usage`; safe to run twice or concurrently (the customers' rollup rows are
locked while their days are written)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone

from accounts.models import Customer
from conferences.models import Conference, MeetingState

from .models import Span, UsageDay, UsageMember, UsageRollup
from .periods import Granularity, local_zone, period_start
from .selectors import Days, Meetings, counted, live_members

# A day is rolled up only once it ended this long ago: a meeting created just before
# midnight is in the database by then, whatever its transaction was doing at midnight.
SETTLE = timedelta(hours=1)
BATCH_DAYS = 31


def usage_rollup_batch(*, max_days: int = BATCH_DAYS) -> int:
    """Roll up the next `max_days` final days of every customer behind; returns how many
    customer-days it wrote (0: nothing is behind)."""
    zone = local_zone()
    last_final = (timezone.now() - SETTLE).astimezone(zone).date() - timedelta(days=1)
    with transaction.atomic():
        # A customer new to the rollup starts the day before its first meeting (none yet:
        # nothing to roll up, and its meetings to come are live until they are).
        first_meeting = (Conference.objects.filter(customer_id=OuterRef("pk"))
                         .order_by("created_at").values("created_at")[:1])
        UsageRollup.objects.bulk_create(
            [UsageRollup(customer_id=pk, through=first.astimezone(zone).date()
                         - timedelta(days=1) if first else last_final)
             for pk, first in Customer.objects.filter(usage_rollup__isnull=True)
             .annotate(first=Subquery(first_meeting)).values_list("pk", "first")],
            ignore_conflicts=True)
        behind = list(UsageRollup.objects.select_for_update()
                      .filter(through__lt=last_final).order_by("pk"))
        if not behind:
            return 0
        oldest_open = dict(
            Conference.objects.exclude(state=MeetingState.CLOSED)
            .filter(customer_id__in=[r.customer_id for r in behind]).order_by()
            .values("customer_id").annotate(oldest=Min("created_at"))
            .values_list("customer_id", "oldest"))
        plan: dict[tuple[date, date], list[str]] = defaultdict(list)
        for rollup in behind:
            target = min(last_final, rollup.through + timedelta(days=max_days))
            if rollup.customer_id in oldest_open:  # stop before its oldest open meeting
                open_day = oldest_open[rollup.customer_id].astimezone(zone).date()
                target = min(target, open_day - timedelta(days=1))
            if target > rollup.through:
                plan[rollup.through + timedelta(days=1), target].append(rollup.customer_id)
        if not plan:
            return 0
        meetings = Meetings(tuple(Days(tuple(ids), *days) for days, ids in plan.items()))
        _write(meetings)
        for (_, target), ids in plan.items():
            UsageRollup.objects.filter(customer_id__in=ids).update(through=target)
    return sum(((last - first).days + 1) * len(ids) for (first, last), ids in plan.items())


def _write(meetings: Meetings) -> None:
    UsageDay.objects.bulk_create(
        [UsageDay(customer_id=customer_id, day=day,
                  **asdict(figures))
         for (customer_id, day), figures in counted(meetings, Granularity.DAY).items()],
        batch_size=2000)
    rows = set()
    for part in live_members(meetings, Granularity.DAY):
        for customer_id, kind, day, member in part:
            for span, granularity in ((Span.DAY, Granularity.DAY), (Span.WEEK, Granularity.WEEK),
                                      (Span.MONTH, Granularity.MONTH)):
                rows.add((span, period_start(day, granularity), customer_id, kind, member))
    # A week's or month's rows may exist from its earlier days: those stay.
    UsageMember.objects.bulk_create(
        [UsageMember(span=span, start=start, customer_id=customer_id, kind=kind, member=member)
         for span, start, customer_id, kind, member in rows],
        batch_size=5000, ignore_conflicts=True)


def usage_rollup(*, max_batches: int = 12) -> int:
    """Batches until nothing is behind (or `max_batches`); the customer-days written."""
    written = 0
    for _ in range(max_batches):
        done = usage_rollup_batch()
        if not done:
            break
        written += done
    return written


def usage_rollup_reset() -> None:
    """Forget the rollup: every day is counted live until it is rolled up again."""
    with transaction.atomic():
        UsageMember.objects.all().delete()
        UsageDay.objects.all().delete()
        UsageRollup.objects.all().delete()
