"""The portal around the pages: where "/" leads, error pages, the favicon, quiet refusals."""

from __future__ import annotations

import logging

import pytest

pytestmark = pytest.mark.django_db


def test_the_root_leads_to_the_portal_and_there_is_no_dead_view_site_link(client, tenants):
    assert client.get("/").url == "/admin/"
    client.force_login(tenants.user("MANAGER@A1"))
    page = client.get("/admin/").content.decode()
    assert "View site" not in page
    assert 'rel="icon"' in page
    assert client.get("/static/flexcare/favicon.svg").status_code == 200


def test_a_refusal_is_a_portal_page_with_a_way_back_and_logs_no_traceback(client, tenants,
                                                                          caplog):
    client.force_login(tenants.user("VIEWER@A1"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/admin/conferences/conference/add/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Access denied" in page
    assert 'href="/admin/"' in page
    assert 'action="/admin/logout/"' in page  # a way out, too
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_an_unknown_page_is_a_portal_404(client, db):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_platform_admin_finds_the_lockout_pages_others_do_not(client, tenants):
    client.force_login(tenants.user("ADMIN"))
    assert "/admin/axes/accessattempt/" in client.get("/admin/").content.decode()
    client.force_login(tenants.user("RESELLER@Reseller A"))
    assert "/admin/axes/" not in client.get("/admin/").content.decode()
    assert client.get("/admin/axes/accessattempt/").status_code == 403


@pytest.mark.parametrize("language", ["en", "da"])
def test_times_read_the_same_24_hour_way_in_every_language(client, tenants, language):
    from django.utils import timezone

    from conferences.models import Conference

    meeting = Conference.objects.filter(customer__name="A1").get()
    shown = f"{timezone.localtime(meeting.created_at):%Y-%m-%d %H:%M}"
    client.force_login(tenants.user("MANAGER@A1"))
    listing = client.get("/admin/conferences/conference/", HTTP_ACCEPT_LANGUAGE=language)
    page = client.get(f"/admin/conferences/conference/{meeting.pk}/change/",
                      HTTP_ACCEPT_LANGUAGE=language)
    assert shown in listing.content.decode()
    assert shown in page.content.decode()
    assert "p.m." not in listing.content.decode() + page.content.decode()
