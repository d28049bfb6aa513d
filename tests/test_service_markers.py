"""The policy for missing services (tests.service_markers), in isolated inner pytest sessions."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import service_markers

pytest_plugins = ["pytester"]

MARKED = """
import pytest

@pytest.mark.postgres
def test_needs_postgres():
    pass

@pytest.mark.redis
def test_needs_redis():
    pass

@pytest.mark.browser
def test_needs_browser():
    pass

def test_plain():
    pass
"""


@pytest.fixture(autouse=True)
def _no_services(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The outer suite itself runs with the services, often with REQUIRE_SERVICES=1; the inner
    # sessions start with none.
    for name in ("DATABASE_URL", "REDIS_URL", "REQUIRE_SERVICES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FLEXCARE_CHROMIUM", str(tmp_path / "no-chromium"))


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile(MARKED)
    return pytester.runpytest(
        "-p", "no:django", "-p", "no:cacheprovider", "-p", "tests.service_markers",
        "--strict-markers", "-rs", *args,
    )  # fmt: skip


@pytest.fixture
def redis_tcp() -> Iterator[str]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield f"redis://:hunter2@127.0.0.1:{server.getsockname()[1]}/0"


@pytest.fixture
def redis_unix(tmp_path: Path) -> Iterator[str]:
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "redis.sock"))
        server.listen()
        yield f"unix://{tmp_path}/redis.sock"


@pytest.fixture
def chromium(tmp_path: Path) -> str:
    """An executable standing in for the browser: the marker only checks that it is one."""
    path = tmp_path / "chromium"
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return str(path)


def test_tests_needing_missing_services_are_skipped_under_a_banner(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    result = run(pytester)
    result.assert_outcomes(passed=1, skipped=3)
    result.stdout.fnmatch_lines(
        [
            "*TESTS SKIPPED: SERVICES NOT AVAILABLE*",
            "1 test SKIPPED, needs PostgreSQL: DATABASE_URL is not set",
            "1 test SKIPPED, needs Redis: REDIS_URL is not set",
            f"1 test SKIPPED, needs Chromium: {tmp_path}/no-chromium is not an executable file*",
            "Run through scripts/with-services.sh (make test)*REQUIRE_SERVICES=1*",
            "*!!!!*",
            "*1 passed, 3 skipped*",
        ]
    )
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.parametrize(("postgres", "redis"), [("postgres", "redis_tcp"),
                                                  ("postgresql", "redis_unix")])
def test_tests_run_when_their_services_are_there(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    chromium: str,
    postgres: str,
    redis: str,
) -> None:
    # Only the URL is checked for PostgreSQL: a wrong server fails loudly instead of skipping.
    monkeypatch.setenv("DATABASE_URL", f"{postgres}://u@127.0.0.1:1/db")
    monkeypatch.setenv("REDIS_URL", request.getfixturevalue(redis))
    monkeypatch.setenv("FLEXCARE_CHROMIUM", chromium)
    result = run(pytester)
    result.assert_outcomes(passed=4)
    assert "SERVICES NOT AVAILABLE" not in result.stdout.str()


@pytest.mark.parametrize(
    ("marker", "variable", "value", "reason"),
    [
        ("postgres", "DATABASE_URL", "sqlite:////tmp/hunter2.sqlite3",
         "DATABASE_URL is not a PostgreSQL URL (sqlite:...)"),
        ("redis", "REDIS_URL", "redis://:hunter2@127.0.0.1:{closed}/0",
         "cannot connect to Redis at 127.0.0.1:{closed} (*"),
        ("redis", "REDIS_URL", "unix://{tmp}/redis.sock",
         "cannot connect to Redis at {tmp}/redis.sock (*"),
        ("redis", "REDIS_URL", "redis://127.0.0.1:six/0",
         "cannot connect to Redis at 127.0.0.1:six (Port could not be cast*"),
        ("browser", "FLEXCARE_CHROMIUM", "{tmp}", "{tmp} is not an executable file*"),
        ("browser", "FLEXCARE_CHROMIUM", "{tmp}/plain", "{tmp}/plain is not an executable file*"),
        ("browser", "FLEXCARE_CHROMIUM", None, "{debian} is not an executable file*"),
    ],
    ids=["sqlite", "redis-tcp", "redis-unix", "redis-port", "chromium-directory",
         "chromium-not-executable", "chromium-unset-is-debians"],
)  # fmt: skip
def test_the_reason_names_what_is_wrong_but_no_password(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    marker: str, variable: str, value: str | None, reason: str,
) -> None:  # fmt: skip
    with socket.socket() as sock:  # a port where nothing listens
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    names = {"tmp": tmp_path, "closed": closed, "debian": tmp_path / "debian-chromium"}
    (tmp_path / "plain").write_text("")
    monkeypatch.setattr(service_markers, "DEBIAN_CHROMIUM", str(names["debian"]))
    if value is None:
        monkeypatch.delenv(variable)
    else:
        monkeypatch.setenv(variable, value.format(**names))
    result = run(pytester, "-m", marker)
    result.assert_outcomes(skipped=1, deselected=3)
    result.stdout.fnmatch_lines([f"1 test SKIPPED, needs *: {reason.format(**names)}"])
    assert "hunter2" not in result.stdout.str()


def test_the_reason_names_playwright_when_it_does_not_import(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, chromium: str
) -> None:
    monkeypatch.setenv("FLEXCARE_CHROMIUM", chromium)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # makes the import fail
    result = run(pytester, "-m", "browser")
    result.stdout.fnmatch_lines(["1 test SKIPPED, needs Chromium: Playwright does not import*"])


def test_require_services_fails_the_session(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*REQUIRE_SERVICES=1 but services needed by selected tests are unavailable:",
            "*Chromium: *no-chromium is not an executable file*",
            "*PostgreSQL: DATABASE_URL is not set",
            "*Redis: REDIS_URL is not set",
        ]
    )


def test_require_services_ignores_deselected_tests(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    result = run(pytester, "-m", "not postgres and not redis and not browser")
    result.assert_outcomes(passed=1, deselected=3)
