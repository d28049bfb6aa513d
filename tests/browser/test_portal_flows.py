"""The portal's key flows in a real browser: a MANAGER runs a meeting with tablets acting over
HTTP, a VIEWER cannot change anything, a RESELLER sees only its own customers."""

from __future__ import annotations

import pytest

from accounts.access import AccessLevel
from conferences.lifecycle import meeting_close, meeting_mark_provisioned
from conferences.models import Command, CommandType, Conference
from conferences.providers import fake_booking
from devices.services import device_token_issue
from devtools.simulator import TabletSimulator
from tests.factories import (
    PASSWORD,
    CustomerFactory,
    DeviceFactory,
    MeetingFactory,
    ResellerFactory,
    UserFactory,
    queue,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tablet(portal, device) -> TabletSimulator:
    return TabletSimulator(portal.url(), say=lambda _: None,
                           token=device_token_issue(device=device))


def test_a_manager_runs_a_meeting_from_creation_to_closed(page, portal):
    customer = CustomerFactory.create(name="Aarhus Hospital")
    manager = UserFactory.create(access_level=AccessLevel.MANAGER, customer=customer)
    beds = [DeviceFactory.create(customer=customer, name=f"Bed {n}") for n in (1, 2, 3)]
    tablets = [tablet(portal, bed) for bed in beds[:2]]
    # The tablets have not been seen yet: the page asks before sending them anything.
    page.on("dialog", lambda dialog: dialog.accept())
    portal.login(page, manager.email, PASSWORD)

    page.goto(portal.url("/admin/conferences/conference/add/"))
    page.check(f"#device-{beds[0].pk}")
    page.check(f"#device-{beds[1].pk}")
    portal.screenshot(page, "meeting-new")
    with page.expect_navigation():
        page.click("text=Create meeting")
    meeting = Conference.objects.get()
    assert page.url.endswith(f"/admin/conferences/conference/{meeting.pk}/change/")
    assert "OK" in page.inner_text("#meeting-provisioning")  # the fake provider booked it
    portal.screenshot(page, "meeting-provisioned")

    with page.expect_navigation():
        page.click("#btn-start")
    page.evaluate("window.__notReloaded = true")
    assert page.locator(".status-QUEUED").count() >= 2
    for each in tablets:  # the tablets poll, execute and acknowledge over HTTP
        each.poll_once()
    page.wait_for_selector(
        f'section[data-device="{beds[0].pk}"] tr[data-type="START_MEETING"] .status-EXECUTED')
    assert page.evaluate("window.__notReloaded") is True  # updated live, not reloaded
    page.wait_for_selector("#meeting-state.state-STARTED")
    portal.screenshot(page, "meeting-started")

    row = page.locator(f'.device-controls tr[data-device="{beds[0].pk}"]')
    row.locator("input.volume").fill("30")
    with page.expect_navigation():
        row.locator("form:has(input.volume) button").click()
    assert page.locator(
        f'section[data-device="{beds[0].pk}"] tr[data-type="SET_VOLUME"]').inner_text().startswith(
        "Set volume 30")

    with page.expect_navigation():
        page.click("#btn-end")
    page.evaluate("window.__notReloaded = true")
    for each in tablets:
        each.poll_once()
    page.wait_for_selector("#meeting-state.state-CLOSED")
    assert page.evaluate("window.__notReloaded") is True
    portal.screenshot(page, "meeting-closed")
    meeting.refresh_from_db()
    assert meeting.state == "CLOSED"


def test_a_viewer_sees_no_write_controls(page, portal):
    customer = CustomerFactory.create()
    viewer = UserFactory.create(access_level=AccessLevel.VIEWER, customer=customer)
    meeting = MeetingFactory.create(customer=customer)
    portal.login(page, viewer.email, PASSWORD)
    page.goto(portal.url("/admin/conferences/conference/"))
    assert page.locator("a.addlink").count() == 0
    assert page.locator("select[name=action]").count() == 0
    page.goto(portal.url(f"/admin/conferences/conference/{meeting.pk}/change/"))
    assert page.locator("#btn-start, #btn-end, .device-controls").count() == 0
    assert page.locator("#live").count() == 1
    portal.screenshot(page, "meeting-viewer")
    page.goto(portal.url("/admin/devices/device/"))
    assert page.locator("a.addlink").count() == 0


def test_a_reseller_sees_only_its_own_customers(page, portal):
    mine = ResellerFactory.create(name="Nordic Care")
    CustomerFactory.create(name="Aarhus Hospital", parent_reseller=mine)
    theirs = ResellerFactory.create(name="Sundhed Partners")
    CustomerFactory.create(name="Odense Care Home", parent_reseller=theirs)
    reseller = UserFactory.create(access_level=AccessLevel.RESELLER, customer=mine)
    portal.login(page, reseller.email, PASSWORD)
    page.goto(portal.url("/admin/accounts/customer/"))
    names = page.locator("#result_list tbody th a").all_inner_texts()
    assert sorted(names) == ["Aarhus Hospital", "Nordic Care"]
    assert "Odense" not in page.content()
    portal.screenshot(page, "customers-reseller")


def test_the_meeting_page_follows_the_meeting_without_a_reload(page, portal):
    """Room, badges and controls follow what happens elsewhere (the provisioning task, another
    employee, the sweep) in place; what is being typed into a control survives the refresh."""
    customer = CustomerFactory.create()
    manager = UserFactory.create(access_level=AccessLevel.MANAGER, customer=customer)
    meeting = MeetingFactory.create(customer=customer)
    device = meeting.participants.get().device
    # The (eager) fake provider booked the room at once: make it still being booked.
    Conference.objects.filter(pk=meeting.pk).update(
        provisioning="PENDING", provisioned_at=None, vdx_booking_id="", uri="", pin="",
        desktop_link="", clinical_link="", mobile_link="")
    Command.objects.all().delete()
    portal.login(page, manager.email, PASSWORD)
    page.goto(portal.url(f"/admin/conferences/conference/{meeting.pk}/change/"))
    assert page.locator("#meeting-room, #btn-start").count() == 0
    assert page.locator("#btn-end").count() == 1
    page.evaluate("window.__notReloaded = true")

    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    page.wait_for_selector("#meeting-provisioning.prov-OK")
    meeting.refresh_from_db()
    assert page.inner_text("#meeting-room") == f"{meeting.uri} · PIN {meeting.pin}"
    page.wait_for_selector("#btn-start")

    volume = page.locator(f'.device-controls tr[data-device="{device.pk}"] input.volume')
    volume.fill("42")
    queue(meeting, device, type=CommandType.CAMERA_ON, value=False)  # another employee
    page.wait_for_selector(f'section[data-device="{device.pk}"] tr[data-type="CAMERA_ON"]')
    assert volume.input_value() == "42"

    meeting_close(meeting_id=meeting.pk)  # by the sweep, say
    page.wait_for_selector("#controls-note")
    assert page.locator("#meeting-state").get_attribute("class").endswith("state-CLOSED")
    assert page.locator("#btn-start, #btn-end, .device-controls, [name=action]").count() == 0
    assert page.evaluate("window.__notReloaded") is True
    portal.screenshot(page, "meeting-closed-elsewhere")
