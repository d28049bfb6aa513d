"""VdxProvider against the fake VDX over real HTTP: book, poll, map the room, end."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from conferences.providers import BookingState, ProviderError, get_provider
from conferences.providers.vdx import VdxProvider, _meeting_list
from devtools.vdx_fake_server import DOMAIN

from .conftest import configure

START = datetime(2030, 5, 1, 10, 0, tzinfo=UTC)
END = START + timedelta(hours=1)


def book(vdx: VdxProvider, external_id: str = "65f1c0ffee00000000000001",
         subject: str = "Bedside call") -> str:
    return vdx.book(external_id=external_id, subject=subject, start=START, end=END)


def test_a_booking_is_pending_until_provisioned_then_maps_the_room(vdx, fake_vdx):
    fake_vdx.set_faults(provision_after_reads=2)
    booking_id = book(vdx)

    assert vdx.status(booking_id).state is BookingState.PENDING
    assert vdx.status(booking_id).state is BookingState.PENDING
    status = vdx.status(booking_id)

    assert status.state is BookingState.OK
    room = fake_vdx.server.state.meetings[booking_id]
    booking = status.booking
    assert booking.booking_id == booking_id
    assert re.fullmatch(rf"\d+@{re.escape(DOMAIN)}", booking.uri)
    assert booking.pin == str(room.guest_pin)
    assert booking.desktop_link == room.scheduling_info()["portalLink"]
    assert booking.mobile_link == room.short_link
    assert booking.clinical_link == (
        f"https://{DOMAIN}/webapp/?conference={booking.uri}&pin={booking.pin}&join=1")
    assert str(room.host_pin) not in repr(vars(booking))  # tablets never get the host PIN


def test_links_follow_the_configured_templates(settings, fake_vdx):
    configure(settings, fake_vdx,
              VDX_DESKTOP_LINK_TEMPLATE="https://desk.example/{uri_without_domain}?p={pin}",
              VDX_CLINICAL_LINK_TEMPLATE="https://node.example/webapp/#/?conference={uri}",
              VDX_MOBILE_LINK_TEMPLATE="{short_link}?host={host_pin}&d={uri_domain}")
    vdx = VdxProvider.from_settings()
    booking = vdx.status(book(vdx)).booking
    assert booking is not None
    room = fake_vdx.server.state.meetings[booking.booking_id]

    assert booking.desktop_link == f"https://desk.example/{room.number}?p={room.guest_pin}"
    assert booking.clinical_link == f"https://node.example/webapp/#/?conference={booking.uri}"
    assert booking.mobile_link == f"{room.short_link}?host={room.host_pin}&d={DOMAIN}"


def test_the_request_carries_what_vdx_needs(vdx, fake_vdx):
    booking_id = book(vdx, subject="x" * 150)

    sent = fake_vdx.server.state.meetings[booking_id].body
    assert sent["subject"] == "x" * 100
    assert (sent["startTime"], sent["endTime"]) == ("2030-05-01T10:00:00Z", "2030-05-01T11:00:00Z")
    assert sent["externalId"] == "65f1c0ffee00000000000001"
    assert sent["endMeetingOnEndTime"] is True


def test_booking_the_same_external_id_again_returns_the_same_room(vdx, fake_vdx):
    first = book(vdx)
    again = book(vdx)

    assert again == first
    state = fake_vdx.state()
    assert state["bookings_created"] == 1
    assert state["booked"] == {"65f1c0ffee00000000000001": 1}  # per externalId, for the soak
    assert state["requests"]["GET /videoapi/meetings"] == 1  # recovered by the label search


def test_a_lost_answer_is_retried_without_booking_twice(settings, fake_vdx):
    # The first POST is answered too late: the client retries while the server is still busy.
    configure(settings, fake_vdx, VDX_TIMEOUT_SECONDS=0.2)
    fake_vdx.set_faults(timeout_next=1, timeout_seconds=0.5)
    booking_id = book(VdxProvider.from_settings())

    time.sleep(0.5)  # let the late request finish: it must find the externalId taken
    state = fake_vdx.state()
    assert state["bookings_created"] == 1
    assert list(state["bookings"]) == [booking_id]


def test_provisioning_problems_fail_without_revealing_pins(vdx, fake_vdx):
    fake_vdx.set_faults(provision_problems=True)
    booking_id = book(vdx)

    status = vdx.status(booking_id)

    room = fake_vdx.server.state.meetings[booking_id]
    assert status.state is BookingState.FAILED
    assert status.error.startswith("Provisioning problems")
    assert str(room.host_pin) not in status.error
    assert str(room.guest_pin) not in status.error


def test_end_cancels_a_room_still_awaiting_provisioning(vdx, fake_vdx):
    fake_vdx.set_faults(provision_after_reads=5)
    booking_id = book(vdx)

    vdx.end(booking_id)
    vdx.end(booking_id)  # idempotent: the second finds it gone

    state = fake_vdx.state()
    assert state["deleted"] == [booking_id]
    assert state["requests"]["DELETE /videoapi/meetings/{uuid}"] == 1
    assert "PATCH /videoapi/meetings/{uuid}" not in state["requests"]


def test_end_sets_the_end_time_of_a_provisioned_room_to_now(vdx, fake_vdx):
    booking_id = book(vdx)
    assert vdx.status(booking_id).state is BookingState.OK

    vdx.end(booking_id)
    vdx.end(booking_id)  # idempotent: the room is already torn down

    state = fake_vdx.state()
    assert state["ended"] == [booking_id]
    assert state["requests"]["PATCH /videoapi/meetings/{uuid}"] == 1
    assert "DELETE /videoapi/meetings/{uuid}" not in state["requests"]
    end_time = fake_vdx.server.state.meetings[booking_id].body["endTime"]
    sent = datetime.strptime(end_time, "%Y-%m-%dT%H:%M:%S%z")
    assert abs(sent - datetime.now(UTC)) < timedelta(seconds=5)


def test_end_of_an_unknown_room_succeeds(vdx):
    vdx.end(str(uuid.uuid4()))


def test_status_of_an_unknown_room_is_a_permanent_error(vdx):
    with pytest.raises(ProviderError) as caught:
        vdx.status(str(uuid.uuid4()))
    assert caught.value.retryable is False
    assert "404" in str(caught.value)


def test_get_provider_builds_the_vdx_provider_from_settings(settings, fake_vdx):
    configure(settings, fake_vdx)
    provider = get_provider()
    assert isinstance(provider, VdxProvider)
    assert provider.name == "vdx"


@pytest.mark.parametrize("body", [
    [{"uuid": "a", "externalId": "x"}],
    {"_embedded": {"meetingDtoList": [{"uuid": "a", "externalId": "x"}]}, "_links": {}},
])
def test_search_results_are_read_as_a_list_or_as_hal(body):
    assert _meeting_list(body) == [{"uuid": "a", "externalId": "x"}]


def test_a_room_awaiting_provisioning_already_tells_its_links(vdx, fake_vdx):
    fake_vdx.set_faults(provision_after_reads=5)
    booking_id = book(vdx)

    status = vdx.status(booking_id)

    assert status.state is BookingState.PENDING
    room = fake_vdx.server.state.meetings[booking_id]
    assert status.booking.guest_link == room.scheduling_info()["portalLink"]


def test_the_guest_link_never_carries_the_host_pin(vdx, fake_vdx):
    booking_id = book(vdx)
    room = fake_vdx.server.state.meetings[booking_id]
    # A room without a guest PIN: VDX's portal link then carries the host PIN.
    fake_vdx.set_faults(scheduling_info={
        "guestPin": None,
        "portalLink": f"https://portal.example/?url={room.number}@{DOMAIN}&pin={room.host_pin}",
    })

    booking = vdx.status(booking_id).booking

    assert str(room.host_pin) in booking.desktop_link
    assert booking.guest_link == booking.mobile_link == room.short_link


def test_a_room_awaiting_provisioning_is_moved_and_a_provisioned_one_is_not(vdx, fake_vdx):
    fake_vdx.set_faults(provision_after_reads=1)
    booking_id = book(vdx)

    vdx.reschedule(booking_id, start=START + timedelta(days=1), end=END + timedelta(days=1))

    sent = fake_vdx.server.state.meetings[booking_id].body
    assert (sent["startTime"], sent["endTime"]) == ("2030-05-02T10:00:00Z", "2030-05-02T11:00:00Z")
    assert fake_vdx.state()["moved"] == [booking_id]
    assert vdx.status(booking_id).state is BookingState.OK
    with pytest.raises(ProviderError) as refused:
        vdx.reschedule(booking_id, start=START, end=END)
    assert refused.value.retryable is False  # a new room is booked instead
