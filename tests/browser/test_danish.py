"""The portal in Danish in a real browser: a Danish browser gets Danish pages, and the header's
switch changes the language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.access import AccessLevel
from conferences.models import Conference
from tests.factories import PASSWORD, CustomerFactory, DeviceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_with_a_danish_browser_works_in_danish(page_for, portal) -> None:
    customer = CustomerFactory.create(name="Aarhus Universitetshospital")
    manager = UserFactory.create(access_level=AccessLevel.MANAGER, customer=customer)
    beds = [DeviceFactory.create(customer=customer, name=f"Seng {n}") for n in (1, 2)]
    page = page_for(locale="da-DK")

    page.goto(portal.url(reverse("admin:login")))
    assert page.get_attribute("html", "lang") == "da"
    assert page.input_value("#login-form [type=submit]") == "Log ind"
    portal.screenshot(page, "da-login")
    portal.login(page, manager.email, PASSWORD)

    assert page.url == portal.url(reverse("admin:index"))
    front = page.text_content("#content-main")  # not the CSS capitals
    for label in ("Start et møde", "Møder i gang", "Tablets", "Sidst set", "Seneste fejl"):
        assert label in front
    assert page.inner_text("#content h1") == "Aarhus Universitetshospital"
    assert page.inner_text("#site-name") == "FlexCare Conference"
    assert page.get_attribute("#language-da", "aria-pressed") == "true"
    portal.screenshot(page, "da-admin-index-manager")

    page.goto(portal.url("/admin/conferences/conference/add/"))
    assert "Nyt møde" in page.inner_text(".breadcrumbs")
    headings = page.text_content(".device-picker thead")  # not the CSS capitals
    for label in ("Tablet", "Rumnummer", "Status", "Møde"):
        assert label in headings
    assert page.locator(".device-picker .badge", has_text="ledig").count() == 2
    page.check(f"#device-{beds[0].pk}")
    portal.screenshot(page, "da-meeting-new")
    page.on("dialog", lambda dialog: dialog.accept())  # "Seng 1 er aldrig set. Send alligevel?"
    with page.expect_navigation():
        page.click("text=Opret møde")
    meeting = Conference.objects.get()
    assert page.url.endswith(f"/admin/conferences/conference/{meeting.pk}/change/")
    assert "Mødet er oprettet" in page.inner_text(".messagelist")
    assert page.inner_text("#btn-start") == "Start på tablets"
    assert page.inner_text("#btn-end") == "Afslut møde"
    assert "Rum: OK" in page.inner_text("#meeting-provisioning")
    portal.screenshot(page, "da-meeting-detail")

    with page.expect_navigation():
        page.click("#language-en")  # the switch: back on this page, now in English
    assert page.url.endswith(f"/admin/conferences/conference/{meeting.pk}/change/")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("#btn-start") == "Start on tablets"
    page.goto(portal.url(reverse("admin:index")))
    assert "Live meetings" in page.inner_text("#front-meetings")  # remembered
