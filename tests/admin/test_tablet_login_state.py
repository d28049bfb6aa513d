"""The tablets' login state in the admin: open for login until when, logged in, or closed
(docs/domain.md#claim-window), in English and Danish, in the list, its filter and the tablet's
page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from devices.models import Device
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db

ONE_PM = datetime(2026, 12, 1, 13, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
WORDS = {
    "en": ("open for login until", "logged in", "closed"),
    "da": ("åben for login indtil", "logget ind", "lukket"),
}


@pytest.fixture
def tablets(tenants):
    """At 13:31, Bed A1 is logged in, "Bed closed" was registered at 13:00 and "Bed open" now."""
    with time_machine.travel(ONE_PM, tick=False) as clock:
        DeviceFactory.create(customer=tenants.customers["A1"], name="Bed closed")
        clock.shift(timedelta(minutes=31))
        DeviceFactory.create(customer=tenants.customers["A1"], name="Bed open")
        yield tenants


def rows(html: str) -> dict[str, str]:
    """The list's rows as text, by the tablet's name (the first link of the row, whose serial
    follows on a line of its own)."""
    found = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.DOTALL):
        name = re.search(r"<a [^>]*>([^<]+)(?:<br>|</a>)", row)
        if name:
            found[name.group(1)] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
    return found


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_list_shows_each_tablets_login_state(client, tablets, language):
    opened, logged_in, closed = WORDS[language]
    client.force_login(tablets.user("MANAGER@A1"))
    page = client.get("/admin/devices/device/", HTTP_ACCEPT_LANGUAGE=language)
    shown = rows(page.content.decode())
    assert f"{opened} 14:01" in shown["Bed open"]
    assert logged_in in shown["Bed A1"]
    assert closed in shown["Bed closed"]
    assert opened not in shown["Bed closed"] + shown["Bed A1"]


def test_the_list_filters_by_login_state(client, tablets):
    client.force_login(tablets.user("MANAGER@A1"))
    for value, names in [("open", ["Bed open"]), ("in", ["Bed A1"]), ("closed", ["Bed closed"])]:
        page = client.get("/admin/devices/device/", {"login": value})
        assert [d.name for d in page.context["cl"].result_list] == names, value


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_tablets_page_shows_until_when_it_is_open_and_a_reset_opens_it(
        client, tablets, language):
    opened, logged_in, _closed = WORDS[language]
    client.force_login(tablets.user("MANAGER@A1"))
    device = Device.objects.get(name="Bed open")
    page = client.get(f"/admin/devices/device/{device.pk}/change/", HTTP_ACCEPT_LANGUAGE=language)
    assert f"{opened} 14:01" in page.content.decode()

    logged = Device.objects.get(name="Bed A1")
    url = f"/admin/devices/device/{logged.pk}/change/"
    assert logged_in in client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    client.post("/admin/devices/device/", {
        "action": "reset_token", "_selected_action": [logged.pk], "confirm": "yes"})
    assert f"{opened} 14:01" in client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_a_window_that_ends_another_day_shows_its_date(client, tablets, settings):
    settings.TABLET_CLAIM_MINUTES = 24 * 60
    DeviceFactory.create(customer=tablets.customers["A1"], name="Bed tomorrow")
    client.force_login(tablets.user("MANAGER@A1"))
    shown = rows(client.get("/admin/devices/device/").content.decode())
    assert "open for login until 2026-12-02 13:31" in shown["Bed tomorrow"]
