"""Every figure of the hand-computed world (tests/reports/conftest.py), per day, week and
month, through the API: across the end of summer time and the month boundary; a meeting
never started, one closed the next day, one with failed commands, one still running, one
not started yet; distinct tablets and employees counted again for every span, never summed."""

from __future__ import annotations

import pytest

from tests.api.employee.conftest import bearer

pytestmark = pytest.mark.django_db

USAGE = "/flexcare/reports/usage"
FIGURES = ("meetings", "meetingsNotStarted", "minutes", "tablets", "employees", "commands",
           "commandsFailed", "provisioningFailures")
ZERO = (0,) * 8

# A1, by local day.
A1_DAYS = {
    # M1 (31 min, T1+T2, E1, 3 commands), M2 (never started, E2, 1 command), M3 (100 min,
    # T1, E1, 3 commands of which 2 failed): M2 and M3 on either side of the clock change.
    "2025-10-26": (2, 1, 131, 2, 2, 7, 2, 0),
    "2025-10-27": (0, 1, 0, 0, 1, 0, 0, 1),  # M4: provisioning failed, never started, E2
    "2025-10-28": ZERO, "2025-10-29": ZERO, "2025-10-30": ZERO,
    "2025-10-31": (1, 0, 30, 1, 1, 1, 0, 0),  # M5 at 23:59:59 local, by R
    "2025-11-01": (1, 0, 0, 1, 0, 1, 0, 0),  # M6 at 00:00 local: running, no employee
    "2025-11-02": (0, 0, 0, 0, 1, 0, 0, 0),  # M7: not started yet; only its creator counts
}
A1_WEEKS = {"2025-10-20": A1_DAYS["2025-10-26"], "2025-10-27": (2, 1, 30, 2, 2, 2, 0, 1)}
A1_MONTHS = {"2025-10-01": (3, 2, 161, 3, 3, 8, 2, 1), "2025-11-01": (1, 0, 0, 1, 1, 1, 0, 0)}
A1_SUBTOTAL = (4, 2, 161, 3, 3, 9, 2, 1)  # tablets T1 T2 T3; employees E1 E2 R
A2_SUBTOTAL = (1, 0, 11, 1, 1, 1, 0, 0)  # N1: 10 min 0.5 s is 11 started minutes
RESELLER_A_TOTAL = (5, 2, 172, 4, 3, 10, 2, 1)  # R worked for A1 and A2: 3 employees, not 4
B1_DAY = (1, 0, 20, 1, 1, 1, 0, 0)


def usage(api, tenants, key="RESELLER@Reseller A", **query):
    query = {"from": "2025-10-26", "to": "2025-11-02", **query}
    response = api.get(USAGE, query, **bearer(tenants.user_tokens[key]))
    assert response.status_code == 200, response.content
    return response.json()


def figures(item: dict) -> tuple:
    return tuple(item[name] for name in FIGURES)


def rows_of(data: dict, name: str) -> dict[str, tuple]:
    return {row["period"]: figures(row) for row in data["rows"] if row["customerName"] == name}


@pytest.mark.parametrize(("granularity", "expected"), [
    ("day", A1_DAYS), ("week", A1_WEEKS), ("month", A1_MONTHS),
])
def test_every_figure_per_period(api, usage_world, granularity, expected):
    data = usage(api, usage_world.tenants, granularity=granularity)
    assert (data["from"], data["to"], data["granularity"]) == (
        "2025-10-26", "2025-11-02", granularity)
    assert rows_of(data, "A1") == expected
    subtotals = {item["customerName"]: figures(item) for item in data["subtotals"]}
    assert subtotals == {"A1": A1_SUBTOTAL, "A2": A2_SUBTOTAL, "A3": ZERO}
    assert figures(data["total"]) == RESELLER_A_TOTAL


def test_one_row_per_customer_and_period_in_order(api, usage_world):
    data = usage(api, usage_world.tenants, granularity="week")
    # Hospitals with the FLEXCARE feature, by name; the resellers hold no meetings.
    assert [(row["customerName"], row["period"]) for row in data["rows"]] == [
        (name, week) for name in ("A1", "A2", "A3") for week in ("2025-10-20", "2025-10-27")]
    a2 = usage_world.tenants.customers["A2"]
    assert data["rows"][2] == {"period": "2025-10-20", "customer": a2.pk, "customerName": "A2",
                               **dict.fromkeys(FIGURES, 0)}


def test_the_day_of_the_clock_change_is_25_hours(api, usage_world):
    """22:30 UTC on the 25th is already the 26th in Copenhagen, and 22:59 UTC on the 26th
    still is: each day is cut at local midnight, not at UTC's."""
    only = usage(api, usage_world.tenants, granularity="day", to="2025-10-26")
    assert rows_of(only, "A1") == {"2025-10-26": A1_DAYS["2025-10-26"]}
    before = usage(api, usage_world.tenants, granularity="day", **{"from": "2025-10-25",
                                                                     "to": "2025-10-25"})
    assert rows_of(before, "A1") == {"2025-10-25": ZERO}


def test_a_partial_period_counts_only_the_days_in_the_range(api, usage_world):
    data = usage(api, usage_world.tenants, granularity="month", **{"from": "2025-10-27",
                                                                     "to": "2025-11-01"})
    assert rows_of(data, "A1") == {"2025-10-01": (1, 1, 30, 1, 2, 1, 0, 1),
                                   "2025-11-01": (1, 0, 0, 1, 0, 1, 0, 0)}


def test_one_customer(api, usage_world):
    a2 = usage_world.tenants.customers["A2"]
    data = usage(api, usage_world.tenants, granularity="month", customer=a2.pk)
    assert [row["customerName"] for row in data["rows"]] == ["A2", "A2"]
    assert figures(data["total"]) == A2_SUBTOTAL


def test_the_platform_admin_sees_every_customer(api, usage_world):
    data = usage(api, usage_world.tenants, key="ADMIN", granularity="day", to="2025-10-26")
    by_customer = {row["customerName"]: figures(row) for row in data["rows"]}
    assert by_customer == {"A1": A1_DAYS["2025-10-26"], "A2": ZERO, "A3": ZERO, "B1": B1_DAY}
    assert figures(data["total"]) == (3, 1, 151, 3, 3, 8, 2, 0)
