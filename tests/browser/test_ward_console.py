"""A ward console a nurse can trust (issue 11), in a real browser: controls that show what the
tablet did (pending, executed, failed) with the simulator polling over HTTP, the question
before anything goes to an offline tablet, the front page of each role, a reseller's
onboarding up to a tablet of a FlexCare customer, lists that fit 1280 px, and Danish."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.access import AccessLevel
from accounts.models import Customer
from conferences.lifecycle import meeting_mark_provisioned
from conferences.models import Command, CommandType, Conference
from conferences.providers import fake_booking
from devices.models import Device
from devices.services import device_token_issue
from devtools.simulator import TabletSimulator
from tests.factories import (
    PASSWORD,
    CustomerFactory,
    DeviceFactory,
    MeetingFactory,
    ResellerFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tablet(portal, device, **options) -> TabletSimulator:
    return TabletSimulator(portal.url(), say=lambda _: None,
                           token=device_token_issue(device=device), **options)


def ward_meeting(portal, page, *, online: bool = True, **options):
    """A MANAGER on the page of a ready meeting of Bed 2, whose simulator has joined it."""
    customer = CustomerFactory.create(name="Aarhus Hospital")
    manager = UserFactory.create(access_level=AccessLevel.MANAGER, customer=customer)
    bed = DeviceFactory.create(customer=customer, name="Bed 2")
    meeting = MeetingFactory.create(customer=customer, devices=[bed])
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    simulator = tablet(portal, bed, **options)
    simulator.poll_once()  # joins: START_MEETING executed, and the tablet is seen
    if not online:
        Device.objects.filter(pk=bed.pk).update(
            last_seen_at=timezone.now() - timedelta(minutes=6, seconds=5))
    portal.login(page, manager.email, PASSWORD)
    page.goto(portal.url(f"/admin/conferences/conference/{meeting.pk}/change/"))
    return meeting, bed, simulator


def camera(page, bed, value: str):
    return page.locator(f'.device-controls tr[data-device="{bed.pk}"] '
                        f'form:has(input[value="camera"]) button[value="{value}"]')


def test_a_command_is_pending_until_the_tablet_executes_it(page, portal):
    _meeting, bed, simulator = ward_meeting(portal, page)
    page.wait_for_selector("#meeting-standing:has-text('Bed 2 in meeting')")
    assert camera(page, bed, "on").get_attribute("aria-pressed") == "true"
    with page.expect_navigation():
        camera(page, bed, "off").click()
    page.evaluate("window.__notReloaded = true")
    # Sent, not done: the control still says what the tablet did, and what is on its way.
    assert camera(page, bed, "on").get_attribute("aria-pressed") == "true"
    assert "Turning the camera off…" in page.inner_text(".device-controls")
    assert "Camera off sent to Bed 2." in page.inner_text(".messagelist")
    portal.screenshot(page, "ward-command-pending")

    simulator.poll_once()  # the tablet fetches, executes and acknowledges over HTTP
    page.wait_for_function(
        "document.querySelector('.device-controls').innerText.indexOf('Turning') < 0")
    assert camera(page, bed, "off").get_attribute("aria-pressed") == "true"
    assert page.evaluate("window.__notReloaded") is True  # updated live
    assert page.locator(".messagelist").count() == 0  # "sent" is outdated once it is done
    assert page.locator("#control-failures li").count() == 0
    portal.screenshot(page, "ward-command-executed")


def test_a_failed_command_reverts_its_control_and_says_why(page, portal):
    _meeting, bed, simulator = ward_meeting(portal, page, fail_types={CommandType.CAMERA_ON})
    with page.expect_navigation():
        camera(page, bed, "off").click()
    simulator.poll_once()
    page.wait_for_selector("#control-failures li")
    assert page.inner_text("#control-failures") == (
        "Bed 2 did not turn its camera off: simulated failure")
    assert camera(page, bed, "on").get_attribute("aria-pressed") == "true"  # still on
    assert camera(page, bed, "off").get_attribute("aria-pressed") == "false"
    portal.screenshot(page, "ward-command-failed")


def test_sending_to_an_offline_tablet_asks_first(page, portal):
    _meeting, bed, _simulator = ward_meeting(portal, page, online=False)
    row = page.locator(f'.device-controls tr[data-device="{bed.pk}"]')
    assert row.locator(".badge.off").inner_text() == "offline"  # beside its controls
    portal.screenshot(page, "ward-offline-tablet")
    questions = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    camera(page, bed, "off").click()
    page.wait_for_timeout(300)
    assert questions == ["Bed 2 has not been seen for 6 minutes.\nSend anyway?"]
    assert not Command.objects.filter(type=CommandType.CAMERA_ON).exists()

    page.once("dialog", lambda dialog: answer(dialog, True))
    with page.expect_navigation():
        camera(page, bed, "off").click()
    assert len(questions) == 2
    assert Command.objects.filter(type=CommandType.CAMERA_ON, value=False).count() == 1


@pytest.mark.parametrize("level", ["VIEWER", "MANAGER", "OWNER", "RESELLER", "ADMIN"])
def test_the_front_page_of_each_role(page, portal, level):
    reseller = ResellerFactory.create(name="Nordic Care")
    customer = CustomerFactory.create(name="Aarhus Hospital", parent_reseller=reseller)
    beds = [DeviceFactory.create(customer=customer, name=f"Bed {n}") for n in (1, 2)]
    meeting = MeetingFactory.create(customer=customer, devices=beds[:1])
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    Device.objects.filter(pk=beds[0].pk).update(last_seen_at=timezone.now())
    home = {"RESELLER": reseller, "ADMIN": None}.get(level, customer)
    user = UserFactory.create(access_level=level, customer=home)
    portal.login(page, user.email, PASSWORD)
    assert page.url == portal.url(reverse("admin:index"))
    title = page.inner_text("#content h1")
    line = page.locator("#front-meetings li", has_text="Bed 1")
    assert "Waiting for Bed 1 to join" in line.inner_text()
    assert line.locator("a").get_attribute("href").endswith(f"/{meeting.pk}/change/")
    if level in ("VIEWER", "MANAGER", "OWNER"):
        assert title == "Aarhus Hospital"
        assert page.locator("#start-meeting").count() == (level != "VIEWER")
        assert page.locator("#front-tablets tr[data-device]").count() == 2
        assert page.locator("#nav-usage").count() == 1
    else:
        assert title == "Overview"
        assert page.locator("#usage-link").count() == 1
        row = page.locator("#front-customers tr", has_text="Aarhus Hospital")
        assert row.locator("td").all_inner_texts()[1:] == ["1", "1", "1", "0"]
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    portal.screenshot(page, f"front-page-{level.lower()}")


def test_a_resellers_onboarding_reaches_a_tablet_of_a_flexcare_customer(page_for, portal):
    reseller = ResellerFactory.create(name="Nordic Care")
    reseller_user = UserFactory.create(access_level=AccessLevel.RESELLER, customer=reseller)
    admin = UserFactory.create(access_level=AccessLevel.ADMIN, customer=None)
    page = page_for()
    portal.login(page, reseller_user.email, PASSWORD)

    page.goto(portal.url("/admin/accounts/customer/add/"))
    assert "enabled by the platform administrator" in page.inner_text("#content-main")
    assert page.locator("textarea").count() == 0  # no JSON box for the tablets' defaults
    page.fill("#id_name", "Vejle Hospital")
    page.uncheck("#id_camera_on")
    portal.screenshot(page, "onboarding-customer-form")
    with page.expect_navigation():
        page.click("input[name=_save]")
    clinic = Customer.objects.get(name="Vejle Hospital")
    assert clinic.tablet_defaults.camera_on is False

    page.goto(portal.url("/admin/devices/device/add/"))
    offered = page.locator("#id_customer option").all_inner_texts()
    assert "Vejle Hospital" not in offered  # cannot hold tablets yet
    assert "platform administrator enables it" in page.inner_text(".field-customer")
    portal.screenshot(page, "onboarding-tablet-form-before")

    admin_page = page_for()
    portal.login(admin_page, admin.email, PASSWORD)
    admin_page.goto(portal.url(f"/admin/accounts/customer/{clinic.pk}/change/"))
    admin_page.check("input[name=features][value=FLEXCARE]")
    with admin_page.expect_navigation():
        admin_page.click("input[name=_save]")
    portal.screenshot(admin_page, "onboarding-admin-enables-flexcare")

    page.goto(portal.url("/admin/devices/device/add/"))
    page.select_option("#id_customer", label="Vejle Hospital")
    page.fill("#id_name", "Bed 7")
    page.fill("#id_serial", "FLXCA9000007")
    page.fill("#id_device_id", "9000007")
    page.fill("#id_technical_room_number", "3.12")
    assert page.is_checked("#id_microphone_on")
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert Device.objects.filter(customer=clinic, name="Bed 7").exists()
    portal.screenshot(page, "onboarding-tablet-created")

    page.goto(portal.url("/admin/conferences/conference/add/"))
    page.select_option("#id_pick_customer", label="Vejle Hospital")
    page.wait_for_selector("#new-meeting-form")
    assert page.locator("#new-meeting-form label", has_text="Bed 7").count() == 1


LISTS = ["devices/device", "conferences/conference", "conferences/command",
         "conferences/conferencedevice", "devices/devicetoken", "accounts/customer",
         "accounts/user", "accounts/usertoken", "accounts/auditentry"]


def test_every_list_fits_1280_px_and_the_tablets_list_starts_with_online(page, portal):
    reseller = ResellerFactory.create(name="Nordic Care Reseller With A Long Name")
    customer = CustomerFactory.create(name="Aarhus University Hospital, Skejby",
                                      parent_reseller=reseller)
    beds = [DeviceFactory.create(customer=customer, name=f"Bed {n} in the long-stay ward",
                                 technical_room_number=f"Building 4, floor 2, room {n}")
            for n in range(3)]
    MeetingFactory.create(customer=customer, devices=beds[:2])
    admin = UserFactory.create(access_level=AccessLevel.ADMIN, customer=None,
                               email="a.very.long.address.for.the.platform.admin@flexcare.example")
    portal.login(page, admin.email, PASSWORD)
    for path in LISTS:
        page.goto(portal.url(f"/admin/{path}/"))
        fits = page.evaluate(
            "document.scrollingElement.scrollWidth <= window.innerWidth && "
            "[...document.querySelectorAll('.results')].every("
            "e => e.scrollWidth <= e.clientWidth)")
        assert fits, path
    page.goto(portal.url("/admin/devices/device/"))
    headings = page.locator("#result_list thead th").all_inner_texts()
    assert [h.strip().lower() for h in headings[1:3]] == ["online", "last seen"]
    online = page.locator("#result_list thead th.column-online")
    box = online.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 1280
    portal.screenshot(page, "tablets-list-1280")


def test_the_login_page_shows_the_product_name_and_the_language_switch(page, portal):
    page.goto(portal.url(reverse("admin:login")))
    name = page.locator("#site-name")
    assert name.inner_text() == "FlexCare Conference"
    assert page.evaluate(
        "(() => { const e = document.querySelector('#site-name');"
        " return e.scrollWidth <= e.clientWidth && e.getBoundingClientRect().right <="
        " document.querySelector('#header').getBoundingClientRect().right; })()")
    assert page.locator("#language-switch button").count() == 2
    assert page.locator("#language-da").is_visible()
    portal.screenshot(page, "login-page")


def test_the_ward_console_in_danish(page_for, portal):
    customer = CustomerFactory.create(name="Aarhus Universitetshospital")
    manager = UserFactory.create(access_level=AccessLevel.MANAGER, customer=customer)
    bed = DeviceFactory.create(customer=customer, name="Seng 2")
    meeting = MeetingFactory.create(customer=customer, devices=[bed])
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    simulator = tablet(portal, bed)
    simulator.poll_once()
    page = page_for(locale="da-DK")
    portal.login(page, manager.email, PASSWORD)
    assert page.inner_text("#content h1") == "Aarhus Universitetshospital"
    assert page.inner_text("#start-meeting") == "Start et møde"
    assert "Seng 2 i møde" in page.inner_text("#front-meetings")
    assert "Log ud" in page.text_content("#user-tools")
    portal.screenshot(page, "da-front-page-manager")

    page.goto(portal.url(f"/admin/conferences/conference/{meeting.pk}/change/"))
    assert page.inner_text("#meeting-standing") == "Seng 2 i møde."
    assert "Link til de pårørende (browser)" in page.inner_text("#meeting-links")
    with page.expect_navigation():
        camera(page, bed, "off").click()
    assert "Slukker kameraet…" in page.inner_text(".device-controls")
    portal.screenshot(page, "da-meeting-pending")
    assert Conference.objects.get().state == "STARTED"
