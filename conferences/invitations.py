"""The e-mail a guest receives (docs/lifecycle.md#invitations): an invitation, its update or a
cancellation, in the meeting's language, with the time in TIME_ZONE (Danish time), the guest
link — never the host PIN: see Conference.guest_link — and the meeting as an iCalendar file.

One calendar event per meeting: its UID never changes, its SEQUENCE is the meeting's
calendar_sequence, so a calendar replaces the event on an update and removes it on a
cancellation (METHOD REQUEST / CANCEL, RFC 5546)."""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Conference, Guest

Method = Literal["REQUEST", "CANCEL"]
PRODUCT_ID = "-//FlexCare//FlexCare Conference//EN"
DANISH_TIME = "Europe/Copenhagen"


def invitation_email(*, meeting: Conference, guest: Guest, method: Method,
                     update: bool) -> EmailMessage:
    """The e-mail to `guest`: a cancellation for CANCEL, else the invitation (`update`: the
    guest was sent an earlier version)."""
    with translation.override(meeting.language):
        when = _when(meeting)
        if method == "CANCEL":
            subject = gettext("Cancelled: video meeting %(day)s at %(start)s") % when
        elif update:
            subject = gettext("Changed: video meeting %(day)s at %(start)s") % when
        else:
            subject = gettext("Invitation: video meeting %(day)s at %(start)s") % when
        body = render_to_string("conferences/email/invitation.txt", {
            "guest": guest, "customer": meeting.customer.name, "link": meeting.guest_link,
            "method": method, "update": update, **when})
        summary = gettext("Video meeting with %(customer)s") % {
            "customer": meeting.customer.name}
    message = EmailMessage(subject=subject, body=body, to=[guest.email])
    message.attach("meeting.ics", calendar_file(meeting=meeting, guest=guest, method=method,
                                                 summary=summary, description=body),
                   f"text/calendar; method={method}")
    return message


def _when(meeting: Conference) -> dict[str, str]:
    """The meeting's day and times as a person reads them, in the active language."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start, end = meeting.start_time.astimezone(zone), meeting.end_time.astimezone(zone)
    # Translators: the day of a meeting in an invitation, a format of Django's date filter
    # ("Tuesday 3 March 2026").
    day_format = gettext("l j F Y")
    return {"day": dateformat.format(start, day_format), "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}" if end.date() == start.date()
            else f"{dateformat.format(end, day_format)} {end:%H:%M}",
            # The product's guests are in Denmark; another zone is named as it is.
            "zone": gettext("Danish time") if settings.TIME_ZONE == DANISH_TIME
            else settings.TIME_ZONE}


def calendar_file(*, meeting: Conference, guest: Guest, method: Method, summary: str,
                  description: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", event_uid(meeting))
    event.add("sequence", meeting.calendar_sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", _utc(meeting.start_time))
    event.add("dtend", _utc(meeting.end_time))
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if method == "REQUEST" and meeting.guest_link:
        event.add("location", meeting.guest_link)
        event.add("url", meeting.guest_link)
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(meeting.customer.name or name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{guest.email}")
    if guest.name:
        attendee.params["cn"] = vText(guest.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def event_uid(meeting: Conference) -> str:
    """The same for every e-mail about the meeting: how a calendar recognises the event."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "flexcare.invalid"
    return f"{meeting.pk}@{domain}"


def _utc(value: datetime) -> datetime:
    return value.astimezone(ZoneInfo("UTC"))
