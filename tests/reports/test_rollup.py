"""The rollup changes no figure: the hand-computed world answers the same, every
granularity and range, counted live, rolled up, and half and half; it stops before a day
with an open meeting, waits an hour after midnight, and runs twice without harm."""

from __future__ import annotations

import io
from datetime import date

import pytest

from reports.models import UsageDay, UsageMember, UsageRollup
from reports.rollup import usage_rollup, usage_rollup_batch, usage_rollup_reset
from reports.selectors import usage_report
from tests.reports.test_figures import A1_MONTHS, A1_SUBTOTAL, RESELLER_A_TOTAL

pytestmark = pytest.mark.django_db

RANGES = [("2025-10-26", "2025-11-02"), ("2025-10-27", "2025-11-01"), ("2025-10-01", "2025-11-30"),
          ("2025-10-20", "2025-10-26"), ("2025-10-31", "2025-11-01"), ("2025-01-01", "2025-12-31")]


def everything(user) -> dict:
    from reports.export import report_wire

    return {(first, last, granularity): report_wire(usage_report(
                user=user, first=date.fromisoformat(first), last=date.fromisoformat(last),
                granularity=granularity))
            for first, last in RANGES for granularity in ("day", "week", "month")}


def through(tenants) -> dict[str, date]:
    return {r.customer.name: r.through for r in UsageRollup.objects.select_related("customer")
            if r.customer.name in ("A1", "A2", "A3", "B1")}


@pytest.mark.parametrize("key", ["RESELLER@Reseller A", "ADMIN", "VIEWER@A1"])
def test_rolled_up_or_live_the_figures_are_the_same(usage_world, time_machine, key):
    user = usage_world.tenants.users[key]
    live = everything(user)
    # 5 November, 00:30: the 3rd is final, the 4th only ended half an hour ago.
    time_machine.move_to("2025-11-04T23:30:00Z")
    assert usage_rollup() > 0
    rolled = through(usage_world.tenants)
    # A1 stops before M6 (1 November, still running); the others roll up to the 3rd. (A3
    # and B1 started the day before their first meeting; the tenants' own meetings, made
    # "today" by the real clock, lie in the future here.)
    assert rolled["A1"] == date(2025, 10, 31)
    assert rolled["A2"] == rolled["B1"] == date(2025, 11, 3)
    assert UsageDay.objects.exists()
    assert UsageMember.objects.exists()
    assert everything(user) == live
    assert usage_rollup() == 0  # nothing more is final


def test_half_rolled_up_periods_are_exact(usage_world, time_machine):
    """Rolled up to 26 October only: week 44 and October mix rolled and live days, and R
    (who created meetings on rolled and live days) is still counted once."""
    user = usage_world.tenants.users["RESELLER@Reseller A"]
    live = everything(user)
    time_machine.move_to("2025-10-27T23:30:00Z")
    usage_rollup()
    assert through(usage_world.tenants)["A1"] == date(2025, 10, 26)
    time_machine.move_to("2025-11-15T12:00:00Z")  # the meetings' later days happen "now"
    assert everything(user) == live
    data = live["2025-10-26", "2025-11-02", "month"]
    assert [r["tablets"] for r in data["rows"] if r["customerName"] == "A1"] == [
        A1_MONTHS["2025-10-01"][3], A1_MONTHS["2025-11-01"][3]]
    assert data["total"]["employees"] == RESELLER_A_TOTAL[4]
    assert [s["minutes"] for s in data["subtotals"] if s["customerName"] == "A1"] == [
        A1_SUBTOTAL[2]]


def test_a_batch_rolls_at_most_its_days_and_twice_changes_nothing(usage_world, time_machine):
    user = usage_world.tenants.users["ADMIN"]
    live = everything(user)
    time_machine.move_to("2025-11-04T23:30:00Z")
    usage_rollup_batch(max_days=3)
    days_after_one = UsageDay.objects.count()
    # Each from the day before its first meeting, three days on. (A3's first meeting is the
    # tenants' one, made "today" by the real clock: it has nothing before that to roll up.)
    assert {name: day for name, day in through(usage_world.tenants).items() if name != "A3"} == {
        "A1": date(2025, 10, 28), "A2": date(2025, 10, 29), "B1": date(2025, 10, 28)}
    usage_rollup()
    usage_rollup()
    assert everything(user) == live
    assert UsageDay.objects.count() >= days_after_one
    usage_rollup_reset()
    assert not UsageRollup.objects.exists()
    assert everything(user) == live


def test_a_day_is_not_rolled_up_within_an_hour_of_its_end(usage_world, time_machine):
    time_machine.move_to("2025-11-03T23:30:00Z")  # 00:30 on the 4th: the 3rd just ended
    usage_rollup()
    assert through(usage_world.tenants)["A2"] == date(2025, 11, 2)


def test_the_beat_job_and_the_command_roll_up(usage_world, time_machine):
    from django.core.management import call_command

    from reports.tasks import rollup_usage

    time_machine.move_to("2025-11-04T23:30:00Z")
    assert rollup_usage.delay().get() > 0
    before = UsageDay.objects.count()
    out = io.StringIO()
    call_command("rollup_usage", "--rebuild", stdout=out)
    assert UsageDay.objects.count() == before
    assert "customer-days" in out.getvalue()
