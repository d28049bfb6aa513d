"""A meeting booked for tomorrow from the admin in a real browser, with a guest, then seen on
the agenda and the front page, in English and Danish."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.access import AccessLevel
from conferences.models import Conference
from tests.factories import PASSWORD, CustomerFactory, DeviceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_books_a_meeting_for_tomorrow_and_sees_it_on_the_agenda(page_for, portal):
    customer = CustomerFactory.create(name="Aarhus Hospital")
    manager = UserFactory.create(access_level=AccessLevel.MANAGER, customer=customer)
    bed = DeviceFactory.create(customer=customer, name="Bed 12")
    DeviceFactory.create(customer=customer, name="Bed 3")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = page_for()
    portal.login(page, manager.email, PASSWORD)

    page.goto(portal.url("/admin/conferences/conference/add/"))
    assert page.is_checked("#id_when_0")  # Now is the default
    page.check(f"#device-{bed.pk}")
    page.check("#id_when_1")
    page.fill("#id_start", f"{tomorrow.isoformat()}T10:00")
    page.select_option("#id_duration", "30")
    page.fill("#id_guests", "Anna Hansen <anna@example.test>")
    portal.screenshot(page, "meeting-new-booked-ahead")
    with page.expect_navigation():
        page.click("text=Create meeting")

    meeting = Conference.objects.get()
    start = datetime.combine(tomorrow, time(10), tzinfo=timezone.get_current_timezone())
    assert (meeting.start_time, meeting.end_time) == (start, start + timedelta(minutes=30))
    assert page.inner_text("#meeting-when") == f"{tomorrow.isoformat()} 10:00\u201310:30"
    assert "anna@example.test" in page.inner_text("#meeting-guests")
    portal.screenshot(page, "meeting-booked-ahead")

    page.goto(portal.url("/admin/"))
    assert "Bed 12" in page.inner_text("#next-meeting")
    with page.expect_navigation():
        page.click("#agenda-link")
    day = page.locator(f'section[data-day="{tomorrow.isoformat()}"]')
    assert day.locator("h2").inner_text().startswith("Tomorrow, ")
    row = day.locator("tr", has_text="Bed 12")
    assert row.locator("a.agenda-meeting").inner_text() == "10:00\u201310:30"
    assert page.locator("tr", has_text="Bed 3").count() == 0  # nothing booked for it
    portal.screenshot(page, "agenda")
    with page.expect_navigation():
        row.locator("a.agenda-meeting").click()
    assert page.url.endswith(f"/admin/conferences/conference/{meeting.pk}/change/")

    danish = page_for(locale="da-DK")
    portal.login(danish, manager.email, PASSWORD)
    danish.goto(portal.url("/admin/conferences/conference/agenda/"))
    assert "Kalender" in danish.inner_text(".breadcrumbs")
    heading = danish.locator(f'section[data-day="{tomorrow.isoformat()}"] h2').inner_text()
    assert heading.startswith("I morgen, ")
    portal.screenshot(danish, "da-agenda")
