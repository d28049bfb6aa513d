"""The offline provider: stable rooms, and links from the same templates as a real booking."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from conferences.providers import fake_booking


def test_the_same_booking_gives_the_same_room():
    assert fake_booking("fake-1") == fake_booking("fake-1")
    assert fake_booking("fake-1").uri != fake_booking("fake-2").uri


def test_links_follow_the_configured_templates(settings):
    settings.VDX_DESKTOP_LINK_TEMPLATE = "https://join.example/{uri_without_domain}"
    settings.VDX_CLINICAL_LINK_TEMPLATE = "https://{uri_domain}/c?conference={uri}&pin={pin}"
    settings.VDX_MOBILE_LINK_TEMPLATE = "{short_link}"
    room = fake_booking("fake-1")
    number, _, domain = room.uri.partition("@")
    assert room.desktop_link == f"https://join.example/{number}"
    assert room.clinical_link == f"https://{domain}/c?conference={room.uri}&pin={room.pin}"
    assert room.mobile_link.endswith(f"/m/{number}")


def test_a_broken_template_is_a_configuration_error(settings):
    settings.VDX_DESKTOP_LINK_TEMPLATE = "{nonsense}"
    with pytest.raises(ImproperlyConfigured, match="VDX_DESKTOP_LINK_TEMPLATE"):
        fake_booking("fake-1")


def test_manage_py_check_reports_a_broken_template(settings):
    from conferences.checks import check_link_templates

    assert check_link_templates() == []
    settings.VDX_MOBILE_LINK_TEMPLATE = "{short_link"
    (error,) = check_link_templates()
    assert error.id == "conferences.E001"
    assert "VDX_MOBILE_LINK_TEMPLATE" in error.msg


@pytest.mark.parametrize(
    "template",
    [
        "http://{uri_domain}/webapp/?conference={uri}",
        "javascript:alert('{pin}')",
        "{uri_domain}/webapp/",
        "https://{pin} {uri}",
    ],
)
def test_manage_py_check_reports_a_template_that_makes_no_https_link(settings, template):
    from conferences.checks import check_link_templates

    settings.VDX_CLINICAL_LINK_TEMPLATE = template
    (error,) = check_link_templates()
    assert "VDX_CLINICAL_LINK_TEMPLATE must make an https: link" in error.msg
