"""Smoke test of the browser-test setup: log in to the admin portal in a real Chromium."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.access import AccessLevel
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_logs_in_and_sees_the_admin_index(page, portal) -> None:
    manager = UserFactory.create(access_level=AccessLevel.MANAGER)

    portal.login(page, manager.email, PASSWORD)

    assert page.url == portal.url(reverse("admin:index"))
    assert page.inner_text("#site-name") == "FlexCare Conference"
    assert "FlexCare Conference" in page.title()
    # Styled: the admin's CSS came from the live server (unstyled, #header is a block).
    assert page.eval_on_selector("#header", "e => getComputedStyle(e).display") == "flex"
    portal.screenshot(page, "admin-index-manager")


def test_wrong_password_shows_the_admin_error(page, portal) -> None:
    manager = UserFactory.create(access_level=AccessLevel.MANAGER)

    portal.login(page, manager.email, "not-the-password")

    assert page.url.startswith(portal.url(reverse("admin:login")))
    assert "Please enter the correct" in page.inner_text(".errornote")
    portal.screenshot(page, "admin-login-wrong-password")
