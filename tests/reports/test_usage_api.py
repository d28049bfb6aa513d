"""GET /flexcare/reports/usage: scoping at every level and for a foreign tenant, parameter
errors in the contract's shape, CSV that parses back to the JSON, and a query count that does
not grow with the range or the number of customers."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import pytest

from reports.rollup import usage_rollup
from tests.api.conftest import error_of
from tests.api.employee.conftest import bearer
from tests.factories import CustomerFactory, MeetingFactory

pytestmark = pytest.mark.django_db

USAGE = "/flexcare/reports/usage"
RANGE = {"from": "2025-10-26", "to": "2025-11-02"}


def get(api, tenants, key, **query):
    return api.get(USAGE, {**RANGE, **query}, **bearer(tenants.user_tokens[key]))


def customers_listed(api, tenants, key, **query) -> set[str]:
    response = get(api, tenants, key, **query)
    assert response.status_code == 200, response.content
    return {row["customerName"] for row in response.json()["rows"]}


@pytest.mark.parametrize(("key", "expected"), [
    ("VIEWER@A1", {"A1"}),
    ("MANAGER@A1", {"A1"}),
    ("OWNER@A1", {"A1"}),
    ("RESELLER@A-sub", {"A3"}),
    ("RESELLER@Reseller A", {"A1", "A2", "A3"}),
    ("RESELLER@Reseller B", {"B1"}),
    ("ADMIN", {"A1", "A2", "A3", "B1"}),
])
def test_each_level_sees_its_scope(api, usage_world, key, expected):
    assert customers_listed(api, usage_world.tenants, key) == expected


@pytest.mark.parametrize("key", ["VIEWER@A1", "RESELLER@Reseller A", "RESELLER@A-sub"])
def test_a_customer_out_of_scope_is_not_found(api, usage_world, key):
    tenants = usage_world.tenants
    for foreign in ("B1", "Reseller B", "A2" if key == "VIEWER@A1" else "B1"):
        response = get(api, tenants, key, customer=tenants.customers[foreign].pk)
        assert error_of(response) == (404, "customer")
    # A malformed id and an id that exists nowhere answer exactly the same.
    assert error_of(get(api, tenants, key, customer="nope")) == (404, "customer")
    assert error_of(get(api, tenants, key, customer="0" * 24)) == (404, "customer")


def test_a_customer_in_scope_may_be_asked_for_even_without_meetings(api, usage_world):
    tenants = usage_world.tenants
    reseller = tenants.customers["Reseller A"]
    data = get(api, tenants, "RESELLER@Reseller A", customer=reseller.pk,
               granularity="month").json()
    assert [(row["customerName"], row["meetings"]) for row in data["rows"]] == [
        ("Reseller A", 0), ("Reseller A", 0)]


def test_a_customer_without_the_feature_is_listed_only_with_meetings(api, usage_world):
    tenants = usage_world.tenants
    CustomerFactory.create(name="A9 (no feature)", features=[],
                           parent_reseller=tenants.customers["Reseller A"])
    assert "A9 (no feature)" not in customers_listed(api, tenants, "RESELLER@Reseller A")


def test_no_token_no_report(api, usage_world):
    assert error_of(api.get(USAGE, RANGE)) == (401, "invalid_token")


@pytest.mark.parametrize(("query", "code"), [
    ({"from": "2025-13-01"}, "from"),
    ({"from": "26-10-2025"}, "from"),
    ({"to": "yesterday"}, "to"),
    ({"from": "2025-11-02", "to": "2025-11-01"}, "to"),
    ({"from": "2025-01-01", "to": "2026-01-02"}, "to"),  # 367 days
    # Beyond the days a query may name (1000-01-01 to 2999-12-31): a month's end past 9999
    # overflowed the calendar.
    ({"from": "9999-12-01", "to": "9999-12-30"}, "from"),
    ({"from": "0999-12-31", "to": "0999-12-31"}, "from"),
    ({"from": "\u0662\u0660\u0662\u0665-\u0661\u0661-\u0660\u0661"}, "from"),  # Arabic-Indic digits
    ({"granularity": "year"}, "granularity"),
    ({"granularity": ""}, "granularity"),
    ({"format": "xml"}, "format"),
])
def test_bad_parameters_are_400_with_the_parameter_as_code(api, tenants, query, code):
    response = api.get(USAGE, {**RANGE, **query}, **bearer(tenants.user_tokens["VIEWER@A1"]))
    assert error_of(response) == (400, code)


def test_errors_are_json_even_when_csv_was_asked_for(api, tenants):
    response = api.get(USAGE, {"granularity": "year"}, HTTP_ACCEPT="text/csv",
                       **bearer(tenants.user_tokens["VIEWER@A1"]))
    assert response["Content-Type"] == "application/json"
    assert error_of(response) == (400, "granularity")


@pytest.mark.parametrize("ask", [{"format": "csv"}, {"HTTP_ACCEPT": "text/csv"}])
def test_options_answers_json_even_when_csv_was_asked_for(api, tenants, ask):
    """OPTIONS has no rows to put in a CSV: it answered 500 (found by fuzzing)."""
    query = {**RANGE, **{k: v for k, v in ask.items() if k == "format"}}
    headers = {k: v for k, v in ask.items() if k != "format"}
    response = api.client.options(f"{USAGE}?{urlencode(query)}", **headers,
                           **bearer(tenants.user_tokens["VIEWER@A1"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["name"]


def test_a_year_of_366_days_is_allowed(api, tenants):
    response = get(api, tenants, "VIEWER@A1", **{"from": "2024-01-01", "to": "2024-12-31"})
    assert response.status_code == 200
    assert len(response.json()["rows"]) == 12  # granularity defaults to month


def test_defaults_are_this_month_by_month(api, tenants, time_machine):
    time_machine.move_to("2025-11-15T12:00:00Z")
    data = api.get(USAGE, **bearer(tenants.user_tokens["VIEWER@A1"])).json()
    assert (data["from"], data["to"], data["granularity"]) == ("2025-11-01", "2025-11-15",
                                                               "month")


def parse_csv(body: bytes, delimiter: str = ",", encoding: str = "utf-8") -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(body.decode(encoding)), delimiter=delimiter))
    # CSV has no types: read back every column that is a figure as the JSON's integers.
    return [{k: v if k in ("period", "customer", "customerName") else int(v)
             for k, v in row.items()} for row in rows]


@pytest.mark.parametrize("ask", [{"format": "csv"}, {"HTTP_ACCEPT": "text/csv"}])
def test_the_csv_parsed_back_equals_the_json(api, usage_world, ask):
    tenants = usage_world.tenants
    # A name that needs quoting, and Danish letters.
    tenants.customers["A2"].name = 'Ærø Sygehus, "Afd. Ø"'
    tenants.customers["A2"].save()
    query = {k: v for k, v in ask.items() if k == "format"}
    headers = {k: v for k, v in ask.items() if k != "format"}
    as_json = get(api, tenants, "RESELLER@Reseller A", granularity="day").json()
    response = api.get(USAGE, {**RANGE, "granularity": "day", **query},
                       **bearer(tenants.user_tokens["RESELLER@Reseller A"]), **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="usage-2025-10-26-2025-11-02.csv"')
    assert not response.content.startswith(b"\xef\xbb\xbf")  # the API's CSV has no BOM
    header = response.content.split(b"\r\n", 1)[0].decode()
    assert header == ("period,customer,customerName,meetings,meetingsNotStarted,minutes,"
                      "tablets,employees,commands,commandsFailed,provisioningFailures")
    assert parse_csv(response.content) == as_json["rows"]
    assert len(as_json["rows"]) == 3 * 8


def test_json_is_the_default_and_on_request(api, tenants):
    for extra in ({}, {"HTTP_ACCEPT": "application/json"}, {"HTTP_ACCEPT": "*/*"}):
        response = api.get(USAGE, RANGE, **bearer(tenants.user_tokens["VIEWER@A1"]), **extra)
        assert response["Content-Type"] == "application/json", extra


@pytest.mark.parametrize(("granularity", "live", "rolled"), [
    # The token with its user and the customers with their rollup; meetings, tablets and
    # commands of the live days per period; the rolled-up days' sums; for weeks and months
    # the distinct tablets and employees per period (wholly rolled-up periods on their
    # own); those over the whole range.
    ("day", 6, 7), ("week", 7, 9), ("month", 7, 9),
])
def test_the_query_count_does_not_grow_with_customers_or_range(
        api, usage_world, time_machine, django_assert_num_queries, granularity, live, rolled):
    tenants = usage_world.tenants
    year = {"granularity": granularity, "from": "2025-01-01", "to": "2025-12-31"}
    get(api, tenants, "ADMIN")  # records the token's use, a write at most once a minute
    with django_assert_num_queries(live):
        get(api, tenants, "ADMIN", **year)
    for n in range(5):
        customer = CustomerFactory.create(name=f"More {n}",
                                          parent_reseller=tenants.customers["Reseller B"])
        MeetingFactory.create(customer=customer)
    with django_assert_num_queries(live):
        get(api, tenants, "ADMIN", **year)
    time_machine.move_to("2025-11-04T23:30:00Z")
    usage_rollup()
    get(api, tenants, "ADMIN")
    with django_assert_num_queries(rolled):
        get(api, tenants, "ADMIN", **year)
