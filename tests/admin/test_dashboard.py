"""The front page's figures: scoped, and each links to a list that shows the same rows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from conferences.admin.dashboard import dashboard_figures
from conferences.lifecycle import meeting_mark_provisioning_failed
from conferences.models import Command, Conference
from devices.models import Device

pytestmark = pytest.mark.django_db


def figures(user) -> dict[str, int]:
    return {str(f.label): f.value for f in dashboard_figures(user)}


def test_the_figures_are_scoped(tenants):
    Device.objects.filter(customer__name="B1").update(last_seen_at=timezone.now())
    meeting = Conference.objects.get(customer__name="B1")
    meeting_mark_provisioning_failed(meeting_id=meeting.pk, error="x")
    Command.objects.filter(conference_device__conference=meeting).update(
        status="FAILED", finished_at=timezone.now())
    a1 = figures(tenants.user("VIEWER@A1"))
    b1 = figures(tenants.user("VIEWER@B1"))
    admin = figures(tenants.user("ADMIN"))
    assert a1 == {"Meetings in progress": 1, "Tablets online": 0, "Tablets offline": 1,
                  "Commands pending": 1, "Commands failed in the last hour": 0,
                  "Provisioning failures": 0}
    assert b1 == {"Meetings in progress": 1, "Tablets online": 1, "Tablets offline": 0,
                  "Commands pending": 0, "Commands failed in the last hour": 1,
                  "Provisioning failures": 1}
    assert admin["Meetings in progress"] == 4
    assert figures(tenants.user("RESELLER@Reseller A"))["Tablets offline"] == 3


def test_every_figure_links_to_a_list_of_as_many_rows(client, tenants):
    user = tenants.user("RESELLER@Reseller A")
    client.force_login(user)
    index = client.get("/admin/").content.decode()
    for figure in dashboard_figures(user):
        assert figure.url.replace("&", "&amp;") in index
        listing = client.get(figure.url)
        assert listing.status_code == 200, figure.url
        shown = len(listing.context["cl"].result_list)
        assert shown == figure.value, (figure.label, figure.url)
        assert re.search(r"<h1>", listing.content.decode())


def test_online_is_one_rule_for_the_figure_the_filter_and_the_badge(client, settings, tenants):
    """Seen within DEVICE_ONLINE_SECONDS, the limit included: online on every page."""
    user = tenants.user("RESELLER@Reseller A")
    client.force_login(user)
    now = timezone.now()
    limit = timedelta(seconds=settings.DEVICE_ONLINE_SECONDS)
    seen = [now, now - limit, now - limit - timedelta(seconds=1)]
    for device, at in zip(Device.objects.for_user(user).order_by("pk"), seen, strict=True):
        Device.objects.filter(pk=device.pk).update(last_seen_at=at)
    with time_machine.travel(now, tick=False):
        assert (figures(user)["Tablets online"], figures(user)["Tablets offline"]) == (2, 1)
        for value, badge, rows in (("yes", "ok", 2), ("no", "off", 1)):
            page = client.get("/admin/devices/device/", {"online": value})
            assert len(page.context["cl"].result_list) == rows
            badges = re.findall(r'<span class="badge (\w+)">', page.content.decode())
            assert badges == [badge] * rows
