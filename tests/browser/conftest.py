"""Fixtures for real-browser tests of the admin portal: Debian's Chromium driven by Playwright.

Mark such tests ``@pytest.mark.browser`` (tests/service_markers.py skips them loudly when no
browser is available). ``page`` is a fresh 1280x900 English page, ``page_for(locale="da")``
makes more (other languages); ``portal`` is the live server with ``portal.url(path)``,
``portal.login(page, email, password)`` and ``portal.screenshot(page, name)``, which saves
test-artifacts/screenshots/<name>.png. A failing test also leaves a screenshot of each page
it opened there (``FAILED-...png``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse

from tests.service_markers import chromium_executable

if TYPE_CHECKING:  # imported lazily: without Playwright the marker skips, collection must work
    from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",  # /dev/shm is 64 MB in default containers
    "--no-first-run",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000  # Playwright's default is 30 s; a local admin page answers in far less

PageFactory = Callable[..., "Page"]


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for all tests under tests/browser.

    Playwright's sync API runs an asyncio event loop on the test thread and, between its calls,
    leaves that loop marked as the thread's running loop for as long as Playwright is started.
    Django then takes the test thread for async code and refuses every ORM call from it
    (SynchronousOnlyOperation: "You cannot call this from an async context"), which breaks
    factories, assertions and pytest-django's database teardown. Nothing async really runs
    there, so the check is switched off with DJANGO_ALLOW_ASYNC_UNSAFE -- only while Playwright
    is started: the scope is this package, not the session, so that the tests after it run
    with neither the loop marker nor the switch.
    """
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            chromium = playwright.chromium.launch(
                executable_path=chromium_executable(), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
        finally:
            playwright.stop()  # also clears the running-loop marker


class ContextPool:
    """Browser contexts handed from one test to the next, emptied in between: the test's pages
    closed, its cookies (so its session), permissions and web storage cleared. What a context
    keeps is its HTTP cache, and with it Chromium's compiled code of the admin's scripts: a
    fresh context per test loaded and compiled them anew for every page and had Chromium use
    about 64 CPU-seconds for tests/browser, reuse 37 (2-core machine, one process). Each kept
    context holds one blank page of its own, never a test's: a context whose last page closes
    loses its renderer process, the costliest thing to start again."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.idle: dict[str, list[tuple[BrowserContext, Page]]] = {}

    def take(self, locale: str, options: dict[str, Any]) -> tuple[str, BrowserContext, Page]:
        """A context no other test is using, with its own blank page (not for the test)."""
        key = repr((locale, sorted(options.items())))
        if self.idle.get(key):
            return key, *self.idle[key].pop()
        context = self.browser.new_context(viewport=VIEWPORT, locale=locale, **options)
        context.set_default_timeout(TIMEOUT_MS)
        return key, context, context.new_page()

    def give_back(self, key: str, context: BrowserContext, keeper: Page) -> None:
        try:
            for page in context.pages:
                if page is not keeper:
                    # The admin keeps its sidebar's and theme's state in localStorage.
                    page.evaluate(CLEAR_STORAGE)
                    page.close()
            context.clear_cookies()
            context.clear_permissions()
        except Exception:  # a page that cannot be emptied (crashed, hung): not kept
            context.close()
            return
        self.idle.setdefault(key, []).append((context, keeper))


# A page on an opaque origin (about:blank, data:) has no storage to clear, and says so.
CLEAR_STORAGE = "() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }"


@pytest.fixture(scope="package")
def context_pool(browser: Browser) -> ContextPool:
    """The browser contexts of the tests under tests/browser (closed with the browser)."""
    return ContextPool(browser)


@pytest.fixture
def page_for(context_pool: ContextPool, request: pytest.FixtureRequest
             ) -> Iterator[PageFactory]:
    """``page_for(locale="en", **context_options)``: a new page in a browser context of its
    own for this test (own cookies: see ContextPool) with a 1280x900 viewport and that
    Accept-Language. Closed after the test."""
    taken: list[tuple[str, BrowserContext, Page]] = []

    def make(locale: str = "en", **options: Any) -> Page:
        key, context, keeper = context_pool.take(locale, options)
        taken.append((key, context, keeper))
        return context.new_page()

    yield make
    failed = getattr(request.node, "_browser_call_failed", False)
    for n, (key, context, keeper) in enumerate(taken):
        if failed:
            pages = [page for page in context.pages if page is not keeper]
            for m, page in enumerate(pages):
                _save_failure_screenshot(page, f"FAILED-{request.node.nodeid}-{n}-{m}")
        context_pool.give_back(key, context, keeper)


@pytest.fixture
def page(page_for: PageFactory) -> Page:
    """A fresh English page (in a browser context of its own for this test)."""
    return page_for()


class Portal:
    """The admin portal on pytest-django's live server, as the browser sees it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def url(self, path: str = "") -> str:
        """Absolute URL of a path ("/admin/..." or reverse(...)) on the live server."""
        return self.base_url + path

    def login(self, page: Page, email: str, password: str) -> None:
        """Log in through the real admin login form; lands wherever the admin sends it (the
        index, or the form again with its error for a wrong password)."""
        page.goto(self.url(reverse("admin:login")))
        page.fill("#id_username", email)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("#login-form [type=submit]")

    def screenshot(self, page: Page, name: str, *, full_page: bool = True) -> Path:
        """Save the page as test-artifacts/screenshots/<name>.png (the browser tests'
        artifacts) and return the path."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{_safe_name(name)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def portal(live_server) -> Portal:
    """The live server (its database is the test's: live_server implies transactional_db)."""
    return Portal(live_server.url)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        item._browser_call_failed = True  # type: ignore[attr-defined]  # our flag on the item
    return report


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:150]


def _save_failure_screenshot(page: Page, name: str) -> None:
    try:
        Portal("").screenshot(page, name)
    except Exception as exc:  # a crashed page must not hide the test's own failure
        print(f"could not save a screenshot of the failed test: {exc}")
