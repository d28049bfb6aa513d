"""Guests' e-mails, written as files by Django's file backend (as the quickstart does) and read
back: the invitation in the meeting's language with the time in Danish time and the guest link,
the calendar file parsed with icalendar (one event: the same UID, a growing SEQUENCE, METHOD
REQUEST then CANCEL), the guest's status, retries, failures, and the retention purge."""

from __future__ import annotations

import email
import smtplib
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from accounts.models import AuditEntry
from conferences import sweeps, tasks
from conferences.guests import NewGuest, guest_resend, guests_add
from conferences.lifecycle import meeting_end
from conferences.models import Conference, Guest
from conferences.schedule import meeting_reschedule
from conferences.services import meeting_create
from conferences.tasks import purge_guests
from tests.factories import DeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# Monday 2 March 2026, 10:00 in Copenhagen (CET, UTC+1); the meetings are for the next day.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TOMORROW_10 = datetime(2026, 3, 3, 10, 0, tzinfo=COPENHAGEN)
ANNA = NewGuest(email="anna@example.test", name="Anna Hansen")


@pytest.fixture
def mail_dir(settings, tmp_path) -> Path:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Tasks queued on commit run (eagerly) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def mails(folder: Path) -> list[EmailMessage]:
    """Every message the file backend wrote, oldest first."""
    found = []
    for path in sorted(folder.glob("*.log"), key=lambda p: (p.stat().st_mtime_ns, p.name)):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip():
                found.append(email.message_from_bytes(raw, policy=policy.default))
    return found


def subject_of(message: EmailMessage) -> str:
    # A folded, encoded header (a non-ASCII subject) reads back with the fold's space.
    return str(message["Subject"]).strip()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return body.get_content()


def calendar_of(message: EmailMessage) -> tuple[icalendar.Calendar, icalendar.Event]:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "meeting.ics"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = icalendar.Calendar.from_ical(payload)
    (event,) = calendar.walk("VEVENT")
    assert isinstance(event, icalendar.Event)
    return calendar, event


def booked(run_tasks, *, start=TOMORROW_10, guests=(ANNA,), language="en", actor=None):
    device = DeviceFactory.create()
    with run_tasks():  # booked and provisioned by the fake provider, guests invited
        meeting = meeting_create(customer=device.customer, devices=[device], employee=None,
                                 start=start, end=start + timedelta(minutes=30),
                                 guests=list(guests), language=language, actor=actor)
    meeting.refresh_from_db()
    return meeting


def test_a_guest_is_invited_with_the_time_the_link_and_a_calendar_event(
        clock, mail_dir, run_tasks):
    meeting = booked(run_tasks)
    assert meeting.guest_link.startswith("https://")
    (message,) = mails(mail_dir)
    assert message["To"] == "anna@example.test"
    assert subject_of(message) == "Invitation: video meeting Tuesday 3 March 2026 at 10:00"
    body = text_of(message)
    assert "Dear Anna Hansen," in body
    assert f"{meeting.customer.name} invites you to a video meeting." in body
    assert "When: Tuesday 3 March 2026, 10:00\u201310:30 (Danish time)" in body
    assert f"Join: {meeting.guest_link}" in body
    calendar, event = calendar_of(message)
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == f"{meeting.pk}@flexcare.invalid"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == TOMORROW_10
    assert event.decoded("DTEND") == TOMORROW_10 + timedelta(minutes=30)
    assert event["STATUS"] == "CONFIRMED"
    assert str(event["LOCATION"]) == meeting.guest_link
    assert str(event["ATTENDEE"]) == "mailto:anna@example.test"
    guest = Guest.objects.get()
    assert (guest.status, guest.sent_at, guest.sent_sequence, guest.due_at) == (
        "SENT", NOW, 0, None)


def test_the_invitation_speaks_danish_for_a_danish_meeting(clock, mail_dir, run_tasks):
    meeting = booked(run_tasks, language="da", guests=[NewGuest(email="bo@example.test")])
    (message,) = mails(mail_dir)
    assert subject_of(message) == "Invitation: videomøde tirsdag 3. marts 2026 kl. 10:00"
    body = text_of(message)
    assert body.startswith("Hej,")
    assert "Hvornår: tirsdag 3. marts 2026, 10:00\u201310:30 (dansk tid)" in body
    assert f"Deltag: {meeting.guest_link}" in body
    _, event = calendar_of(message)
    assert str(event["SUMMARY"]) == f"Videomøde med {meeting.customer.name}"


def test_a_move_sends_an_update_of_the_same_event_and_a_cancellation_removes_it(
        clock, mail_dir, run_tasks):
    meeting = booked(run_tasks)
    with run_tasks():
        meeting_reschedule(meeting=meeting, start=TOMORROW_10 + timedelta(hours=2), end=None,
                           actor=None)
    with run_tasks():
        meeting_end(meeting=meeting, ended_by=None)
    invitation, update, cancellation = mails(mail_dir)
    assert subject_of(update) == "Changed: video meeting Tuesday 3 March 2026 at 12:00"
    assert "has been moved" in text_of(update)
    assert subject_of(cancellation) == "Cancelled: video meeting Tuesday 3 March 2026 at 12:00"
    assert "has been cancelled" in text_of(cancellation)
    events = [calendar_of(message) for message in (invitation, update, cancellation)]
    assert [calendar["METHOD"] for calendar, _ in events] == ["REQUEST", "REQUEST", "CANCEL"]
    assert len({event["UID"] for _, event in events}) == 1
    assert [event["SEQUENCE"] for _, event in events] == [0, 1, 2]
    assert events[1][1].decoded("DTSTART") == TOMORROW_10 + timedelta(hours=2)
    assert events[2][1]["STATUS"] == "CANCELLED"
    assert Guest.objects.get().sent_sequence == 2


def test_a_guest_never_invited_is_not_told_of_the_cancellation(
        clock, mail_dir, run_tasks, monkeypatch):
    device = DeviceFactory.create()
    # The booking has not come back yet: no link to invite with.
    monkeypatch.setattr(tasks.provision_meeting, "apply_async", lambda *a, **k: None)
    with run_tasks():
        meeting = meeting_create(customer=device.customer, devices=[device], employee=None,
                                 start=TOMORROW_10, guests=[ANNA])
    with run_tasks():
        meeting_end(meeting=meeting, ended_by=None)
    assert mails(mail_dir) == []
    guest = Guest.objects.get()
    assert (guest.status, guest.due_at) == ("PENDING", None)


def test_invitations_wait_until_vdx_has_the_meetings_new_times(
        clock, mail_dir, run_tasks, monkeypatch):
    meeting = booked(run_tasks)
    with monkeypatch.context() as patch:
        patch.setattr(tasks.reschedule_at_vdx, "apply_async", lambda *a, **k: None)  # lost
        with run_tasks():
            meeting_reschedule(meeting=meeting, start=TOMORROW_10 + timedelta(hours=1),
                               end=None, actor=None)
    assert len(mails(mail_dir)) == 1  # the update waits: VDX has the old time
    assert Guest.objects.get().status == "PENDING"
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False), run_tasks():
        sweeps.resume_lost_work()  # moves it at VDX; the update goes out then
    assert len(mails(mail_dir)) == 2
    assert Guest.objects.get().status == "SENT"


def test_guests_added_later_are_invited_once_each(clock, mail_dir, run_tasks):
    manager = UserFactory.create()
    meeting = booked(run_tasks, guests=())
    with run_tasks():
        guests_add(meeting=meeting, guests=[ANNA, NewGuest(email="ANNA@example.test"),
                                            NewGuest(email="bo@example.test")], actor=manager)
    with run_tasks():
        guests_add(meeting=meeting, guests=[ANNA], actor=manager)
    assert sorted(m["To"] for m in mails(mail_dir)) == ["anna@example.test", "bo@example.test"]
    (entry,) = AuditEntry.objects.filter(action="meeting.invite")
    assert entry.details == {"recipients": ["anna@example.test", "bo@example.test"]}
    assert meeting.guest_link not in str(entry.details) + entry.target


def test_resend_sends_the_meeting_as_it_is_again(clock, mail_dir, run_tasks):
    manager = UserFactory.create()
    booked(run_tasks)
    with run_tasks():
        guest_resend(guest=Guest.objects.get(), actor=manager)
    first, again = mails(mail_dir)
    assert subject_of(again) == subject_of(first)
    assert calendar_of(again)[1]["SEQUENCE"] == 0
    assert AuditEntry.objects.get(action="meeting.resend_invitation").details == {
        "recipients": ["anna@example.test"]}


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"anna@example.test": (550, b"No such user")})


class OnceDisconnectedBackend(BaseEmailBackend):
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return len(messages)


def test_a_refused_address_is_failed_with_the_reason(clock, settings, run_tasks):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    booked(run_tasks)
    guest = Guest.objects.get()
    assert guest.status == "FAILED"
    assert "SMTPRecipientsRefused" in guest.reason
    assert "No such user" in guest.reason
    assert guest.due_at is None


def test_a_mail_server_that_fails_once_is_tried_again(clock, settings, run_tasks):
    settings.EMAIL_BACKEND = f"{__name__}.OnceDisconnectedBackend"
    OnceDisconnectedBackend.calls = 0
    booked(run_tasks)  # eager tasks retry at once
    guest = Guest.objects.get()
    assert (guest.status, guest.reason) == ("SENT", "")
    assert OnceDisconnectedBackend.calls == 2


def test_beat_runs_the_retention_purge(settings):
    assert "conferences.purge_guests" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def test_guests_are_deleted_after_the_retention_period(settings, run_tasks):
    closed_long_ago = booked(run_tasks, start=timezone.now() + timedelta(hours=1))
    closed_lately = booked(run_tasks, start=timezone.now() + timedelta(hours=1))
    still_open = booked(run_tasks, start=timezone.now() + timedelta(hours=1))
    days = settings.GUEST_RETENTION_DAYS
    for meeting, ago in ((closed_long_ago, days + 1), (closed_lately, days - 1)):
        Conference.objects.filter(pk=meeting.pk).update(
            state="CLOSED", closed_at=timezone.now() - timedelta(days=ago))
    assert purge_guests.delay().get() == 1
    assert set(Guest.objects.values_list("conference", flat=True)) == {
        closed_lately.pk, still_open.pk}
