"""Markers for tests that need a real service, and the one policy for a missing one.

``@pytest.mark.postgres`` needs ``DATABASE_URL`` to be a PostgreSQL URL; ``@pytest.mark.redis``
a Redis answering at ``REDIS_URL``; ``@pytest.mark.browser`` Debian's Chromium
(``FLEXCARE_CHROMIUM``, else /usr/bin/chromium) and Playwright. ``scripts/with-services.sh``
(which ``make test`` runs) provides them. When a service that selected tests need is missing,
those tests are skipped and a banner above the final count says so, so that a green run
without them cannot pass for a full one; with ``REQUIRE_SERVICES=1`` (CI) the session fails.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Generator
from urllib.parse import urlsplit

import pytest

SERVICES = {"postgres": "PostgreSQL", "redis": "Redis", "browser": "Chromium"}
# Where Debian's `chromium` package puts its launcher; never a browser Playwright downloaded.
DEBIAN_CHROMIUM = "/usr/bin/chromium"
# Carried by the skipped tests' reports (even from xdist workers): why each was skipped.
_MISSING = "missing_service"


def _postgres_problem() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return "DATABASE_URL is not set"
    if url.startswith("postgres"):
        return None
    # Only the scheme: the rest of the URL may hold a password.
    return f"DATABASE_URL is not a PostgreSQL URL ({url.split(':', 1)[0]}:...)"


def _redis_problem() -> str | None:
    parts = urlsplit(os.environ.get("REDIS_URL", ""))
    if not parts.scheme:
        return "REDIS_URL is not set"
    where = parts.path if parts.scheme == "unix" else parts.netloc.rpartition("@")[2]
    try:
        if parts.scheme == "unix":
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(1)
                sock.connect(parts.path)
        else:
            address = (parts.hostname or "localhost", parts.port or 6379)
            socket.create_connection(address, timeout=1).close()
    except (OSError, ValueError) as exc:  # ValueError: a port that is no number
        return f"cannot connect to Redis at {where} ({exc})"
    return None


def chromium_executable() -> str:
    """The browser the tests drive: ``FLEXCARE_CHROMIUM`` if set, else Debian's."""
    return os.environ.get("FLEXCARE_CHROMIUM") or DEBIAN_CHROMIUM


def _browser_problem() -> str | None:
    path = chromium_executable()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return f"{path} is not an executable file (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright does not import ({exc}); pip install -r requirements-dev.txt"
    return None


_CHECKS = {"postgres": _postgres_problem, "redis": _redis_problem, "browser": _browser_problem}


def pytest_configure(config: pytest.Config) -> None:
    for name, service in SERVICES.items():
        config.addinivalue_line("markers", f"{name}: needs {service} (tests/service_markers.py)")
    # Under pytest-xdist (make test) the controller collects nothing and a worker's UsageError
    # reaches it only as a crash without its message, so there the check comes first and
    # covers every service.
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        _require({name: problem for name in SERVICES if (problem := _CHECKS[name]())})


def _require(problems: dict[str, str]) -> None:
    if problems and os.environ.get("REQUIRE_SERVICES") == "1":
        lines = [f"  {SERVICES[name]}: {problem}" for name, problem in problems.items()]
        raise pytest.UsageError(
            "REQUIRE_SERVICES=1 but services needed by selected tests are unavailable:\n"
            + "\n".join(lines)
            + "\nRun the suite through scripts/with-services.sh (make test)."
        )


# trylast: after -m/-k deselection, so only tests that will actually run are considered.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    needed = {name for item in items for name in SERVICES if item.get_closest_marker(name)}
    # Only probe services that selected tests need: the Redis probe can cost a 1 s timeout.
    problems = {name: problem for name in sorted(needed) if (problem := _CHECKS[name]())}
    _require(problems)
    for item in items:
        missing = [name for name in problems if item.get_closest_marker(name)]
        if missing:
            reason = f"needs {SERVICES[missing[0]]}: {problems[missing[0]]}"
            item.add_marker(pytest.mark.skip(reason=reason))
            item.user_properties.append((_MISSING, reason))


# The outermost wrapper prints after pytest's own short summary, i.e. right above the final
# "N passed, M skipped" line, where it cannot scroll out of sight.
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter,
) -> Generator[None, None, None]:
    yield
    skipped = Counter(
        reason
        for report in terminalreporter.stats.get("skipped", [])
        for key, reason in report.user_properties
        if key == _MISSING
    )
    if not skipped:
        return
    tr = terminalreporter
    tr.write_sep("!", "TESTS SKIPPED: SERVICES NOT AVAILABLE", red=True, bold=True)
    for reason, count in skipped.items():
        tr.write_line(
            f"{count} {'test' if count == 1 else 'tests'} SKIPPED, {reason}", red=True, bold=True
        )
    tr.write_line(
        "Run through scripts/with-services.sh (make test) to provide them; "
        "REQUIRE_SERVICES=1 turns this into an error.",
        bold=True,
    )
    tr.write_sep("!", red=True, bold=True)
