"""The admin in Danish: from the browser's Accept-Language, or chosen with the header's switch."""

from __future__ import annotations

import pytest
from django.utils import translation

from conferences.lifecycle import meeting_mark_provisioned
from conferences.models import Conference
from conferences.providers import fake_booking
from devices.models import Device

pytestmark = pytest.mark.django_db

DA = {"HTTP_ACCEPT_LANGUAGE": "da"}


def manager(client, tenants):
    client.force_login(tenants.user("MANAGER@A1"))
    return client


def test_the_front_page_follows_a_danish_browser(client, tenants):
    html = manager(client, tenants).get("/admin/", **DA).content.decode()
    assert '<html lang="da"' in html
    # The ward's front page, Django's own words on it included (its title is the customer's).
    for label in ("<h1>A1</h1>", "Start et møde", "Møder i gang", "Tablets", "Sidst set",
                  "Seneste fejl", "Seneste handlinger", "Møder", "Log ud"):
        assert label in html, label
    assert "Live meetings" not in html
    assert "Site administration" not in html


def test_english_stays_the_default(client, tenants):
    client = manager(client, tenants)
    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.8"},
                    {"HTTP_ACCEPT_LANGUAGE": "fr"}):
        html = client.get("/admin/", **headers).content.decode()
        assert '<html lang="en"' in html
        assert "Live meetings" in html


def test_the_meeting_list_in_danish(client, tenants):
    html = manager(client, tenants).get("/admin/conferences/conference/", **DA).content.decode()
    for label in ("Vælg møde", "Tilstand", "Oprettet", "Rummet bookes…",
                  "Afslut møde (læg på på alle tablets)"):
        assert label in html, label


def test_the_meeting_page_in_danish(client, tenants):
    meeting = Conference.objects.get(customer__name="A1")
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    html = manager(client, tenants).get(
        f"/admin/conferences/conference/{meeting.pk}/change/", **DA).content.decode()
    for label in ("Start på tablets", "Afslut møde", "Kamera", "Mikrofon", "Lydstyrke",
                  "Kvalitet", "Meget høj", "Rum: OK", "Rummet er klar", "Revisionsspor", "Kommando",
                  "Indstil lydstyrke", "I kø", "Hjem"):
        assert label in html, label
    # JavaScript in an attribute: escaped (escapejs), whatever quotes a translation holds.
    assert "return confirm('Afslut mødet for alle tablets?')" in html


def test_the_new_meeting_page_and_a_services_refusal_in_danish(client, tenants):
    client = manager(client, tenants)
    customer = tenants.customers["A1"]
    html = client.get("/admin/conferences/conference/add/", **DA).content.decode()
    for label in ("Nyt møde", "Kunde", "allerede i et møde", "Opret møde"):
        assert label in html, label
    busy = Device.objects.get(customer=customer, name="Bed A1")
    refused = client.post("/admin/conferences/conference/add/",
                          {"customer": customer.pk, "devices": [busy.pk]}, **DA)
    assert "Enheden er allerede i et aktivt møde" in refused.content.decode()
    nothing = client.post("/admin/conferences/conference/add/", {"customer": customer.pk}, **DA)
    assert "Vælg mindst én tablet." in nothing.content.decode()


def test_a_button_answers_in_danish(client, tenants):
    meeting = Conference.objects.get(customer__name="A1")
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    page = manager(client, tenants).post(
        f"/admin/conferences/conference/{meeting.pk}/run/", {"action": "start"}, follow=True,
        **DA)
    assert "Start sendt til 1 tablet(s)." in page.content.decode()


def test_the_switch_changes_the_language(client, tenants):
    client = manager(client, tenants)
    html = client.get("/admin/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="da"' in html
    assert ">Dansk</button>" in html  # each language in its own tongue
    assert ">English</button>" in html
    response = client.post("/i18n/setlang/", {"language": "da", "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    # The choice is remembered and wins over the browser's language.
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Møder i gang" in html
    assert 'id="language-da" aria-pressed="true"' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    html = client.get("/admin/", **DA).content.decode()
    assert "Live meetings" in html
    assert 'id="language-en" aria-pressed="true"' in html


def test_the_switch_is_on_the_login_page_too(client, db):
    html = client.get("/admin/login/", **DA).content.decode()
    assert 'id="language-switch"' in html
    assert "Adgangskode" in html  # Django's own Danish


def test_model_names_and_choices_are_translated():
    with translation.override("da"):
        assert str(Conference._meta.verbose_name_plural) == "møder"
        assert str(Device._meta.verbose_name) == "tablet"
        from accounts.access import AccessLevel

        assert [str(label) for label in AccessLevel.labels] == [
            "Læser", "Leder", "Ejer", "Forhandler", "Administrator"]


def test_the_tablet_form_and_list_in_danish(client, tenants):
    client = manager(client, tenants)
    html = client.get("/admin/devices/device/add/", **DA).content.decode()
    for label in ("Rumnummer:", "Stregkode:", "Lydstyrke:", "Videokvalitet:",
                  "Kamera tændt når et møde starter", "Må tilføje deltagere", "MedCom-adresse:"):
        assert label in html, label
    listing = client.get("/admin/devices/device/", **DA).content.decode()
    for label in ("Online", "Sidst set", "Rumnummer", "logget ind"):
        assert label in listing, label


def test_a_customers_settings_read_in_danish_by_one_who_may_only_look(client, tenants):
    client.force_login(tenants.user("OWNER@A1"))
    html = client.get(f"/admin/accounts/customer/{tenants.customers['A1'].pk}/change/",
                      **DA).content.decode()
    for words in ("Indstillinger for nye tablets", "Kamera tændt når et møde starter: ja",
                  "Lydstyrke: tablettens egen", "Videokvalitet: Høj"):
        assert words in html, words
