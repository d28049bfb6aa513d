"""The Usage page in a real browser: a reseller goes there from the front page, picks last
month, sees the table and the charts, and downloads the CSV it bills from; in Danish too."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from accounts.access import AccessLevel
from accounts.services import user_token_issue
from reports.periods import today
from tests.factories import PASSWORD, CustomerFactory, DeviceFactory, ResellerFactory, UserFactory
from tests.reports.conftest import meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def last_month_world():
    """A reseller with two hospitals that held meetings last month."""
    reseller = ResellerFactory.create(name="Nordic Care")
    user = UserFactory.create(email="reseller@nordic.test", access_level=AccessLevel.RESELLER,
                              customer=reseller)
    first = (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    for n, name in enumerate(("Aarhus Sygehus", "Ærø Plejehjem")):
        hospital = CustomerFactory.create(name=name, parent_reseller=reseller)
        bed = DeviceFactory.create(customer=hospital, name=f"Seng {n}")
        for day in range(0, 28, 3 + n):
            at = datetime.combine(first + timedelta(days=day), datetime.min.time(),
                                  tzinfo=UTC) + timedelta(hours=9)
            meeting(hospital, [bed], user, at.strftime("%Y-%m-%dT%H:%M:%S"),
                    started=(at + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%S"),
                    closed=(at + timedelta(minutes=20 + day)).strftime("%Y-%m-%dT%H:%M:%S"))
    return user


@pytest.mark.parametrize(("locale", "delimiter", "button", "preset"), [
    ("en", ",", "Download CSV", "Last month"),
    ("da", ";", "Hent CSV", "Sidste måned"),
])
def test_a_reseller_downloads_last_months_csv(page_for, portal, locale, delimiter, button,
                                              preset):
    user = last_month_world()
    page = page_for(locale=locale)
    portal.login(page, user.email, PASSWORD)
    with page.expect_navigation():
        page.click("#usage-link")  # prominent on a reseller's front page
    with page.expect_navigation():
        page.click(f"text={preset}")
    svg = page.locator("#chart-meetings")
    assert svg.is_visible()
    assert page.locator("#chart-meetings rect.bar").count() == 1  # one month
    assert page.locator("#chart-minutes rect.bar").count() == 1
    assert page.locator("#usage-table tr.subtotal").count() == 2
    portal.screenshot(page, f"usage-last-month-{locale}")

    with page.expect_download() as download_info:
        page.click(f"text={button}")
    download = download_info.value
    assert download.suggested_filename.startswith("usage-")
    body = download.path().read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))

    # The page's query asks the API the same question.
    api = Client().get("/flexcare/reports/usage", _query(page.url),
                       HTTP_AUTHORIZATION=f"Bearer {user_token_issue(user=user)}").json()
    assert [{k: str(v) for k, v in row.items()} for row in api["rows"]] == rows
    assert {row["customerName"] for row in rows} == {"Aarhus Sygehus", "Ærø Plejehjem"}
    assert all(int(row["meetings"]) > 0 for row in rows)


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def test_the_page_with_a_chart_per_day(page_for, portal):
    user = last_month_world()
    page = page_for()
    portal.login(page, user.email, PASSWORD)
    page.goto(portal.url("/admin/usage/"))
    with page.expect_navigation():
        page.click("text=Last month")
    page.select_option("#id_granularity", "day")
    with page.expect_navigation():
        page.click(".usage-picker [type=submit]")
    bars = page.locator("#chart-meetings rect.bar")
    assert bars.count() >= 28
    assert page.locator("#chart-meetings-title").text_content() == "Meetings held"
    portal.screenshot(page, "usage-by-day")
