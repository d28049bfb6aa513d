"""Every meeting state by every event: allowed transitions happen once, forbidden ones change
nothing (docs/domain.md#meeting-lifecycle). The expected table is written out by hand."""

from __future__ import annotations

import pytest

from conferences.lifecycle import (
    meeting_close,
    meeting_end,
    meeting_mark_provisioned,
    meeting_mark_provisioning_failed,
    meeting_mark_started,
    meeting_retry_provisioning,
)
from conferences.models import Conference
from conferences.providers import fake_booking
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

EVENTS = {
    "provisioned": lambda m: meeting_mark_provisioned(meeting=m, booking=fake_booking(m.pk)),
    "provisioning_failed": lambda m: meeting_mark_provisioning_failed(meeting_id=m.pk, error="x"),
    "retry": lambda m: meeting_retry_provisioning(meeting=m),
    "started": lambda m: meeting_mark_started(meeting_id=m.pk),
    "end": lambda m: meeting_end(meeting=m, ended_by=None),
    "close": lambda m: meeting_close(meeting_id=m.pk),
}

# How to reach each state from a new meeting.
SETUP = {
    "pending": [],
    "failed": ["provisioning_failed"],
    "ready": ["provisioned"],
    "started": ["provisioned", "started"],
    "ending": ["provisioned", "end"],
    "closed": ["provisioned", "close"],
}

# (state, provisioning, end requested) of each state, and what each event leads to.
SNAPSHOT = {
    "pending": ("CREATED", "PENDING", False),
    "failed": ("CREATED", "FAILED", False),
    "ready": ("CREATED", "OK", False),
    "started": ("STARTED", "OK", False),
    "ending": ("CREATED", "OK", True),
    "closed": ("CLOSED", "OK", False),
}
CLOSED_UNPROVISIONED = ("CLOSED", "PENDING", False)
_: None = None  # unchanged
TABLE = {
    #            provisioned  prov_failed  retry      started    end                   close
    "pending": ("ready",     "failed",    _,         _,         CLOSED_UNPROVISIONED, CLOSED_UNPROVISIONED),  # noqa: E501
    "failed":  (_,           _,           "pending", _,         ("CLOSED", "FAILED", False), ("CLOSED", "FAILED", False)),  # noqa: E501
    "ready":   (_,           _,           _,         "started", "ending",             "closed"),
    "started": (_,           _,           _,         _,         ("STARTED", "OK", True), "closed"),
    "ending":  (_,           _,           _,         _,         _,                    ("CLOSED", "OK", True)),  # noqa: E501
    "closed":  (_,           _,           _,         _,         _,                    _),
}


def snapshot(meeting: Conference) -> tuple[str, str, bool]:
    meeting.refresh_from_db()
    return meeting.state, meeting.provisioning, meeting.end_requested_at is not None


def timestamps(meeting: Conference) -> tuple:
    meeting.refresh_from_db()
    return (meeting.provisioned_at, meeting.started_at, meeting.end_requested_at,
            meeting.closed_at, meeting.uri)


CASES = [(state, event, expected) for state, row in TABLE.items()
         for event, expected in zip(EVENTS, row, strict=True)]


@pytest.mark.parametrize(("state", "event", "expected"), CASES,
                         ids=[f"{s}-{e}" for s, e, _x in CASES])
def test_meeting_transition(state, event, expected):
    meeting = MeetingFactory.create()
    for step in SETUP[state]:
        EVENTS[step](meeting)
    assert snapshot(meeting) == SNAPSHOT[state]
    before = timestamps(meeting)
    EVENTS[event](meeting)
    after = snapshot(meeting)
    if expected is None:
        assert after == SNAPSHOT[state]
        assert timestamps(meeting) == before
        return
    assert after == (SNAPSHOT[expected] if isinstance(expected, str) else expected)
    once = timestamps(meeting)
    EVENTS[event](meeting)  # the same event again: nothing more happens
    assert snapshot(meeting) == after
    assert timestamps(meeting) == once


@pytest.mark.parametrize("state", SETUP)
def test_ready_means_the_same_for_one_meeting_and_for_the_query(state):
    """Ready for tablets: provisioned and not closed, a meeting being ended included."""
    meeting = MeetingFactory.create()
    for step in SETUP[state]:
        EVENTS[step](meeting)
    meeting.refresh_from_db()
    expected = state in {"ready", "started", "ending"}
    assert meeting.is_ready is expected
    assert Conference.objects.ready().filter(pk=meeting.pk).exists() is expected


def test_closing_releases_the_tablets_and_cancels_their_commands():
    from conferences.models import Command, ConferenceDevice

    meeting = MeetingFactory.create()
    EVENTS["provisioned"](meeting)
    meeting_close(meeting_id=meeting.pk)
    assert not ConferenceDevice.objects.filter(active=True).exists()
    assert set(Command.objects.values_list("status", flat=True)) == {"CANCELED"}


def test_ending_hangs_up_every_tablet_and_cancels_what_was_pending():
    from conferences.models import Command
    from tests.factories import DeviceFactory

    first = DeviceFactory.create()
    meeting = MeetingFactory.create(customer=first.customer,
                                    devices=[first, DeviceFactory.create(customer=first.customer)])
    EVENTS["provisioned"](meeting)
    meeting_end(meeting=meeting, ended_by=None)
    rows = set(Command.objects.values_list("type", "status"))
    assert rows == {("START_MEETING", "CANCELED"), ("HANGUP", "QUEUED")}
    assert Command.objects.filter(type="HANGUP").count() == 2
