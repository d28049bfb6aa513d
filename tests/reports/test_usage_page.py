"""The portal's Usage page and its CSV download: for every level, scoped; presets; table
with subtotals and total; the SVG charts; a CSV a spreadsheet opens in Danish and in English
that holds the API's rows; the way there from the front page and every page's header."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.reports.test_usage_api import RANGE, parse_csv

pytestmark = pytest.mark.django_db

PAGE, CSV = "/admin/usage/", "/admin/usage/csv"


def cells(figures: str) -> str:
    return "</td><td>".join(figures.split())


def login(client, tenants, key: str, language: str = "en"):
    client.force_login(tenants.users[key])
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize(("key", "seen", "unseen"), [
    ("VIEWER@A1", {"A1"}, {"A2", "A3", "B1", "Reseller A"}),
    ("OWNER@A1", {"A1"}, {"A2", "B1"}),
    ("RESELLER@Reseller A", {"A1", "A2", "A3"}, {"B1", "Reseller B"}),
    ("ADMIN", {"A1", "A2", "A3", "B1"}, set()),
])
def test_each_level_sees_its_customers_only(client, usage_world, key, seen, unseen):
    tenants = usage_world.tenants
    html = login(client, tenants, key).get(PAGE, {**RANGE, "granularity": "week"}
                                           ).content.decode()
    for name in seen:
        assert f"<th scope=\"row\">{name}</th>" in html, name
    for name in unseen:  # neither in the table nor in the customer picker
        assert tenants.customers[name].pk not in html, name


def test_the_reseller_table_has_rows_subtotals_and_the_total(client, usage_world):
    html = login(client, usage_world.tenants, "RESELLER@Reseller A").get(
        PAGE, {**RANGE, "granularity": "month"}).content.decode()
    # A1: October and November rows, then the subtotal (tablets and employees counted once).
    october, november = cells("3 2 161 3 3 8 2 1"), cells("1 0 0 1 1 1 0 0")
    assert f"<td>A1</td><td>October 2025</td><td>{october}</td>" in html
    assert f"<td>A1</td><td>November 2025</td><td>{november}</td>" in html
    assert re.search(r'<tr class="subtotal"><th scope="row">A1</th><td>Subtotal</td><td>'
                     + cells("4 2 161 3 3 9 2 1"), html)
    assert re.search(r'<tr class="total"><th scope="row">Total</th><td></td><td>'
                     + cells("5 2 172 4 3 10 2 1"), html)


def test_one_period_shows_one_line_per_customer(client, usage_world):
    html = login(client, usage_world.tenants, "RESELLER@Reseller A").get(
        PAGE, {"from": "2025-10-01", "to": "2025-10-31", "granularity": "month"}
    ).content.decode()
    assert html.count('<tr class="subtotal">') == 3
    assert "Subtotal" not in html
    assert '<th scope="row">A1</th><td>October 2025</td>' in html


def test_the_charts_are_svg_with_a_title_a_description_and_a_bar_per_period(client,
                                                                             usage_world):
    html = login(client, usage_world.tenants, "RESELLER@Reseller A").get(
        PAGE, {**RANGE, "granularity": "day"}).content.decode()
    for chart, title in (("chart-meetings", "Meetings held"),
                         ("chart-minutes", "Minutes in meetings")):
        found = re.search(rf'<svg id="{chart}".*?</svg>', html, re.S)
        assert found, chart
        svg = found.group(0)
        assert 'role="img"' in svg
        assert f'<title id="{chart}-title">{title}</title>' in svg
        assert f'<desc id="{chart}-desc">' in svg
        assert svg.count('<rect class="bar"') == 8
    # Each bar says what it stands for: 26 October had 2 meetings held and 131 + 11 minutes.
    assert "<title>2025-10-26: 2</title>" in html
    assert "<title>2025-10-27: 11</title>" in html


def test_presets_link_this_month_last_month_and_this_year(client, tenants, time_machine):
    time_machine.move_to("2025-11-15T12:00:00Z")
    html = login(client, tenants, "VIEWER@A1").get(PAGE).content.decode()
    for first, last in (("2025-11-01", "2025-11-15"), ("2025-10-01", "2025-10-31"),
                        ("2025-01-01", "2025-11-15")):
        assert f'href="?from={first}&amp;to={last}&amp;granularity=month"' in html
    # The first visit shows this year by month.
    assert 'name="from" value="2025-01-01"' in html
    assert 'name="to" value="2025-11-15"' in html


def test_a_bad_range_is_an_error_on_the_page(client, tenants):
    login(client, tenants, "VIEWER@A1")
    for query in ({"from": "2025-01-01", "to": "2026-01-02"},
                  {"from": "2025-02-01", "to": "2025-01-01"}):
        for url in (PAGE, CSV):
            response = client.get(url, query)
            assert response.status_code == 200
            assert "spans at most 366 days" in response.content.decode()
    response = client.get(PAGE, {"from": "soon", "to": "later"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_a_customer_out_of_scope_cannot_be_chosen(client, usage_world):
    tenants = usage_world.tenants
    b1 = tenants.customers["B1"].pk
    response = login(client, tenants, "RESELLER@Reseller A").get(
        PAGE, {**RANGE, "customer": b1})
    assert "Select a valid choice" in response.content.decode()
    assert b1 not in response.content.decode().replace(f'value="{b1}"', "")
    assert client.get(CSV, {**RANGE, "customer": b1})["Content-Type"].startswith("text/html")


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for url in (PAGE, CSV):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(("language", "delimiter"), [("da", ";"), ("en", ",")])
def test_the_download_opens_in_a_spreadsheet_in_either_language(
        client, api, usage_world, language, delimiter):
    tenants = usage_world.tenants
    tenants.customers["A2"].name = "=Ærø Sygehus; Afd. Ø"
    tenants.customers["A2"].save()
    from tests.api.employee.conftest import bearer

    as_json = api.get("/flexcare/reports/usage", {**RANGE, "granularity": "week"},
                      **bearer(tenants.user_tokens["RESELLER@Reseller A"])).json()
    response = login(client, tenants, "RESELLER@Reseller A", language).get(
        CSV, {**RANGE, "granularity": "week"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="usage-2025-10-26-2025-11-02.csv"')
    assert response.content.startswith(b"\xef\xbb\xbfperiod" + delimiter.encode())
    rows = parse_csv(response.content, delimiter, encoding="utf-8-sig")
    # The same rows as the API, but a name that a spreadsheet would run as a formula is
    # quoted with an apostrophe.
    for row in as_json["rows"]:
        if row["customerName"].startswith("="):
            row["customerName"] = "'" + row["customerName"]
    assert rows == as_json["rows"]
    other = client.get(CSV, {**RANGE, "sep": ";" if delimiter == "," else ","})
    assert other.content.startswith(b"\xef\xbb\xbfperiod" + (b";" if delimiter == "," else b","))


@pytest.mark.parametrize(("key", "prominent"), [
    ("VIEWER@A1", False), ("OWNER@A1", False), ("RESELLER@Reseller A", True), ("ADMIN", True),
])
def test_the_front_page_leads_to_usage(client, tenants, key, prominent):
    html = login(client, tenants, key).get(reverse("admin:index")).content.decode()
    entry = re.search(r'<section class="fc-usage-entry( prominent)?".*?</section>', html, re.S)
    assert entry is not None
    assert bool(entry.group(1)) is prominent
    assert f'href="{PAGE}"' in entry.group(0)
    # And every page's header links to it.
    header = login(client, tenants, key).get(
        reverse("admin:conferences_conference_changelist")).content.decode()
    assert f'<a href="{PAGE}" id="nav-usage">Usage</a>' in header


def test_the_page_speaks_danish(client, usage_world):
    html = login(client, usage_world.tenants, "RESELLER@Reseller A", "da").get(
        PAGE, {**RANGE, "granularity": "month"}).content.decode()
    for text in ("Forbrug", "Hent CSV", "Møder afholdt", "Minutter i møder", "Sidste måned",
                 "I alt", "oktober 2025"):
        assert text in html, text
    # The charts' coordinates stay numbers an SVG reads, not Danish decimals ("56,5").
    found = re.search(r'<svg id="chart-minutes".*?</svg>', html, re.S)
    assert found
    svg = found.group(0)
    coordinates = re.findall(r' (?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"', svg)
    assert coordinates
    assert all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in coordinates), coordinates


def test_the_page_query_count_does_not_grow_with_the_range(client, usage_world,
                                                           django_assert_num_queries):
    login(client, usage_world.tenants, "ADMIN").get(PAGE)
    # Session and user, the customer picker's choices, then the report (all live: five).
    with django_assert_num_queries(8):
        client.get(PAGE, {"from": "2025-01-01", "to": "2025-12-31", "granularity": "day"})
