"""Meetings booked ahead in the portal: Meetings > Add for a date and time with guests, the
meeting page's times and guests with Resend, the agenda per day and bed, the front page's next
meeting; in English and Danish."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import AuditEntry
from conferences.guests import NewGuest
from conferences.models import Conference, Guest
from conferences.services import meeting_create
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# Monday 2 March 2026, 10:00 in Copenhagen.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TOMORROW_10 = datetime(2026, 3, 3, 10, 0, tzinfo=COPENHAGEN)
ADD = "/admin/conferences/conference/add/"
AGENDA = "/admin/conferences/conference/agenda/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def manager(client, tenants):
    client.force_login(tenants.user("MANAGER@A1"))
    return client


def _guests(*emails: str) -> list[NewGuest]:
    return [NewGuest(email=email) for email in emails]


def book(device, start, minutes=30, **kwargs) -> Conference:
    return meeting_create(customer=device.customer, devices=[device], employee=None,
                          start=start, end=start + timedelta(minutes=minutes), **kwargs)


def test_a_manager_books_a_meeting_for_tomorrow_with_guests(manager, tenants):
    customer = tenants.customers["A1"]
    bed = DeviceFactory.create(customer=customer, name="Bed 12")
    response = manager.post(ADD, {
        "customer": customer.pk, "devices": [bed.pk], "when": "later",
        "start": "2026-03-03T10:00", "duration": "45",
        "guests": "Anna Hansen <anna@example.test>\n\nbo@example.test\n", "language": "da"})
    meeting = Conference.objects.get(participants__device=bed)
    assert response.status_code == 302
    assert (meeting.start_time, meeting.end_time) == (TOMORROW_10,
                                                      TOMORROW_10 + timedelta(minutes=45))
    assert [(g.email, g.name) for g in meeting.guests.all()] == [
        ("anna@example.test", "Anna Hansen"), ("bo@example.test", "")]
    assert AuditEntry.objects.filter(action="meeting.invite", object_id=meeting.pk).exists()
    assert meeting.language == "da"  # chosen, though the employee's portal is in English


def test_now_is_the_default_and_a_tablet_busy_now_may_be_booked_for_later(manager, tenants):
    customer = tenants.customers["A1"]
    busy = Conference.objects.get(customer=customer).participants.get().device
    page = manager.get(f"{ADD}?customer={customer.pk}").content.decode()
    (now_input,) = re.findall(r'<input type="radio" name="when" value="now"[^>]*>', page)
    assert "checked" in now_input
    manager.post(ADD, {"customer": customer.pk, "devices": [busy.pk], "when": "later",
                       "start": "2026-03-04T10:00", "duration": "60"})
    assert Conference.objects.filter(participants__device=busy,
                                     start_time=TOMORROW_10 + timedelta(days=1)).exists()


def test_the_invitations_language_starts_as_the_employees(manager, tenants):
    customer = tenants.customers["A1"]
    page = manager.get(f"{ADD}?customer={customer.pk}", HTTP_ACCEPT_LANGUAGE="da")
    assert '<option value="da" selected>' in page.content.decode()
    bed = DeviceFactory.create(customer=customer)
    manager.post(ADD, {"customer": customer.pk, "devices": [bed.pk], "when": "later",
                       "start": "2026-03-03T10:00"}, HTTP_ACCEPT_LANGUAGE="da")
    assert Conference.objects.get(participants__device=bed).language == "da"


@pytest.mark.parametrize(("fields", "error"), [
    ({"start": ""}, "Choose the date and time of the meeting."),
    ({"start": "2026-03-01T10:00"}, "startTime must be in the future"),
    ({"guests": "not an address"}, "Guest 1: not a valid e-mail address"),
])
def test_bad_bookings_are_refused_with_the_reason(manager, tenants, fields, error):
    customer = tenants.customers["A1"]
    bed = DeviceFactory.create(customer=customer)
    page = manager.post(ADD, {"customer": customer.pk, "devices": [bed.pk], "when": "later",
                              "start": "2026-03-03T10:00", "duration": "60", **fields})
    assert page.status_code == 200
    assert error in page.content.decode()
    assert not Conference.objects.filter(participants__device=bed).exists()


def test_an_overlapping_booking_says_the_tablet_is_booked(manager, tenants):
    customer = tenants.customers["A1"]
    bed = DeviceFactory.create(customer=customer)
    book(bed, TOMORROW_10, minutes=60)
    page = manager.post(ADD, {"customer": customer.pk, "devices": [bed.pk], "when": "later",
                              "start": "2026-03-03T10:30", "duration": "60"})
    assert "Device is already booked at that time" in page.content.decode()


def test_the_meeting_page_shows_the_times_and_the_guests_and_resends(
        manager, tenants, django_capture_on_commit_callbacks, mailoutbox):
    bed = DeviceFactory.create(customer=tenants.customers["A1"])
    with django_capture_on_commit_callbacks(execute=True):
        meeting = book(bed, TOMORROW_10, guests=_guests("anna@example.test"))
    Guest.objects.filter(email="anna@example.test").update(status="FAILED", reason="550 nope")
    html = manager.get(f"/admin/conferences/conference/{meeting.pk}/change/").content.decode()
    assert 'id="meeting-when">2026-03-03 10:00\u201310:30<' in html  # Danish time
    assert "anna@example.test" in html
    assert "550 nope" in html
    guest = Guest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        answer = manager.post(f"/admin/conferences/conference/{meeting.pk}/run/",
                              {"action": "resend", "guest": guest.pk}, follow=True)
    assert [str(m) for m in answer.context["messages"]] == [
        "The invitation is being sent to anna@example.test again."]
    guest.refresh_from_db()
    assert guest.status == "SENT"
    assert len(mailoutbox) == 2
    assert AuditEntry.objects.filter(action="meeting.resend_invitation").exists()


def test_a_viewer_sees_the_guests_but_cannot_resend(client, tenants):
    bed = DeviceFactory.create(customer=tenants.customers["A1"])
    meeting = book(bed, TOMORROW_10, guests=_guests("anna@example.test"))
    client.force_login(tenants.user("VIEWER@A1"))
    html = client.get(f"/admin/conferences/conference/{meeting.pk}/change/").content.decode()
    assert "anna@example.test" in html
    assert 'value="resend"' not in html
    refused = client.post(f"/admin/conferences/conference/{meeting.pk}/run/",
                          {"action": "resend", "guest": Guest.objects.get().pk})
    assert refused.status_code == 403


def test_the_agenda_lists_today_and_tomorrow_by_bed_for_the_users_wards(manager, tenants):
    a1 = tenants.customers["A1"]
    bed_12, bed_3 = (DeviceFactory.create(customer=a1, name=name) for name in ("Bed 12", "Bed 3"))
    book(bed_12, TOMORROW_10)
    book(bed_3, TOMORROW_10 + timedelta(hours=2))
    book(bed_12, TOMORROW_10 - timedelta(days=1, minutes=-30))  # today at 10:30
    book(bed_12, TOMORROW_10 + timedelta(days=3))  # later this week
    book(DeviceFactory.create(customer=tenants.customers["B1"], name="Bed foreign"), TOMORROW_10)
    html = manager.get(AGENDA).content.decode()
    today, tomorrow = html.split('data-day="2026-03-03"')
    assert "Today, Monday 2 March 2026" in today
    assert "10:30" in today
    assert "Tomorrow, Tuesday 3 March 2026" in tomorrow
    assert tomorrow.index("Bed 12") < tomorrow.index("Bed 3")  # by bed, by name
    assert "10:00" in tomorrow
    assert "12:00" in tomorrow
    assert "Bed foreign" not in html
    assert "Friday 6 March" not in html
    assert "Friday 6 March" in manager.get(AGENDA, {"days": "7"}).content.decode()


def test_the_agenda_in_danish(client, tenants):
    book(DeviceFactory.create(customer=tenants.customers["A1"], name="Seng 12"), TOMORROW_10)
    client.force_login(tenants.user("VIEWER@A1"))
    html = client.get(AGENDA, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "I morgen, tirsdag 3 marts 2026" in html
    assert "Seng 12" in html


def next_meeting_of(html: str) -> str:
    """The front page's "Next meeting" line (the page lists the tablets by name too)."""
    (line,) = re.findall(r'<p class="fc-next[^"]*" id="next-meeting">.*?</p>', html, re.S)
    return line


def test_the_front_page_shows_the_next_meeting(manager, tenants):
    a1 = tenants.customers["A1"]
    later = book(DeviceFactory.create(customer=a1, name="Bed 3"), TOMORROW_10 + timedelta(hours=2))
    line = next_meeting_of(manager.get("/admin/").content.decode())
    assert "Next meeting" in line
    assert "Bed 3" in line
    assert f"/admin/conferences/conference/{later.pk}/change/" in line
    first = book(DeviceFactory.create(customer=a1, name="Bed 12"), TOMORROW_10)
    html = manager.get("/admin/").content.decode()
    line = next_meeting_of(html)
    assert f"/admin/conferences/conference/{first.pk}/change/" in line
    assert "Bed 3" not in line
    # Booked ahead, neither is live yet: both wait on the agenda, not among live meetings.
    assert f"/admin/conferences/conference/{later.pk}/change/" not in html
