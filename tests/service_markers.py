"""Pytest markers for tests that need a real PostgreSQL or Redis server, or a real browser.

``@pytest.mark.postgres`` runs only when ``DATABASE_URL`` is a postgres:// or postgresql:// URL;
``@pytest.mark.redis`` runs only when ``REDIS_URL`` is set and its server accepts a connection;
``@pytest.mark.browser`` runs only when Debian's Chromium (``FLEXCARE_CHROMIUM``, or
/usr/bin/chromium when that is unset) is an executable and Playwright imports.
Otherwise the test is skipped and a banner at the end of the run lists what was skipped, so a
green run on SQLite cannot pass for a full one. With ``REQUIRE_SERVICES=1`` (CI) a missing
service fails the session instead. ``scripts/with-services.sh`` provides all three.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Generator
from urllib.parse import urlsplit

import pytest

SERVICES = {"postgres": "PostgreSQL", "redis": "Redis", "browser": "Chromium"}
# Where Debian's `chromium` package puts its launcher; never a browser Playwright downloaded.
DEBIAN_CHROMIUM = "/usr/bin/chromium"
MAX_LISTED = 50
# Carried on the item and copied to its reports, so the banner counts skips that really
# happened (and would still work when reports come from xdist workers).
_PROPERTY = "missing_service"


def _postgres_problem() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return None
    if not url:
        return "DATABASE_URL is not set"
    # Only the scheme: the rest of the URL may hold a password.
    return f"DATABASE_URL is not a PostgreSQL URL ({url.split(':', 1)[0]}:...)"


def _redis_problem() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "REDIS_URL is not set"
    parts = urlsplit(url)
    try:
        if parts.scheme == "unix":
            where = parts.path
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(1)
                sock.connect(parts.path)
        else:
            host, port = parts.hostname or "localhost", parts.port or 6379
            where = f"{host}:{port}"
            socket.create_connection((host, port), timeout=1).close()
    except ValueError as exc:  # e.g. a non-numeric port
        return f"REDIS_URL is malformed ({exc})"
    except OSError as exc:
        return f"cannot connect to Redis at {where} ({exc.strerror or exc})"
    return None


def chromium_executable() -> str:
    """The browser the tests drive: ``FLEXCARE_CHROMIUM`` if set (empty: none), else Debian's."""
    path = os.environ.get("FLEXCARE_CHROMIUM")
    return DEBIAN_CHROMIUM if path is None else path


def _browser_problem() -> str | None:
    path = chromium_executable()
    if not path:
        return "FLEXCARE_CHROMIUM is set but empty (scripts/with-services.sh: no usable Chromium)"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return f"{path} is not an executable file (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright does not import ({exc}); pip install -r requirements-dev.txt"
    return None


_CHECKS = {"postgres": _postgres_problem, "redis": _redis_problem, "browser": _browser_problem}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs the real PostgreSQL engine")
    config.addinivalue_line("markers", "redis: needs a real Redis server")
    config.addinivalue_line("markers", "browser: needs Debian's Chromium driven by Playwright")
    config.pluginmanager.register(_SkipReport(), "service_markers_skip_report")


# trylast: run after -m/-k deselection, so only tests that will actually run are considered.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    needed = {name for item in items for name in SERVICES if item.get_closest_marker(name)}
    # Only probe services that selected tests need: the Redis probe can cost a 1 s timeout.
    problems = {name: problem for name in sorted(needed) if (problem := _CHECKS[name]())}
    if not problems:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        lines = [f"  {SERVICES[name]}: {problem}" for name, problem in problems.items()]
        raise pytest.UsageError(
            "REQUIRE_SERVICES=1 but services needed by selected tests are unavailable:\n"
            + "\n".join(lines)
            + "\nRun the suite through scripts/with-services.sh."
        )
    for item in items:
        for name, problem in problems.items():
            if item.get_closest_marker(name):
                item.add_marker(pytest.mark.skip(reason=f"needs {SERVICES[name]}: {problem}"))
                item.user_properties.append((_PROPERTY, name))


class _SkipReport:
    """Collects the node ids skipped for a missing service and prints the closing banner."""

    def __init__(self) -> None:
        self.skipped: dict[str, list[str]] = {name: [] for name in SERVICES}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not report.skipped:
            return
        for key, name in report.user_properties:
            if key == _PROPERTY and report.nodeid not in self.skipped[str(name)]:
                self.skipped[str(name)].append(report.nodeid)

    # An outer wrapper prints after pytest's own short summary, i.e. right above the final
    # "N passed, M skipped" line, where it cannot scroll out of sight.
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(
        self, terminalreporter: pytest.TerminalReporter
    ) -> Generator[None, None, None]:
        yield
        if not any(self.skipped.values()):
            return
        tr = terminalreporter
        tr.write_sep("!", "TESTS SKIPPED: SERVICES NOT AVAILABLE", red=True, bold=True)
        for name, nodeids in self.skipped.items():
            if not nodeids:
                continue
            noun = "test was" if len(nodeids) == 1 else "tests were"
            tr.write_line(
                f"{len(nodeids)} {noun} SKIPPED because {SERVICES[name]} was not available:",
                red=True,
                bold=True,
            )
            for nodeid in nodeids[:MAX_LISTED]:
                tr.write_line(f"    {nodeid}")
            if len(nodeids) > MAX_LISTED:
                tr.write_line(f"    ... and {len(nodeids) - MAX_LISTED} more")
        tr.write_line(
            "Run through scripts/with-services.sh to provide them; "
            "REQUIRE_SERVICES=1 turns this into an error.",
            bold=True,
        )
        tr.write_sep("!", red=True, bold=True)
