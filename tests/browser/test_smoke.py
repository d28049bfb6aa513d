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


def test_a_context_handed_to_the_next_test_keeps_nothing_of_the_last(context_pool, portal):
    """tests/browser/conftest.py's ContextPool: the next test gets the same context, without
    the last one's session, cookies, web storage or pages."""
    manager = UserFactory.create(access_level=AccessLevel.MANAGER)
    key, context, keeper = context_pool.take("en", {})
    page = context.new_page()
    portal.login(page, manager.email, PASSWORD)
    page.evaluate("() => { localStorage.setItem('left', '1'); sessionStorage.setItem('s', '1'); }")
    assert {cookie["name"] for cookie in context.cookies()} >= {"sessionid", "csrftoken"}

    context_pool.give_back(key, context, keeper)
    again = context_pool.take("en", {})
    try:
        assert again == (key, context, keeper)  # handed on, not made anew
        assert context.cookies() == []
        assert context.pages == [keeper]
        page = context.new_page()
        page.goto(portal.url(reverse("admin:index")))
        assert page.url.startswith(portal.url(reverse("admin:login")))  # logged out
        # (The admin's own theme.js stores "theme" again at every page load.)
        left = "() => [localStorage.getItem('left'), sessionStorage.getItem('s')]"
        assert page.evaluate(left) == [None, None]
    finally:
        context_pool.give_back(*again)
