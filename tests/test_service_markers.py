"""Tests for the tests.service_markers pytest plugin, run in isolated inner pytest sessions."""

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

def test_plain():
    pass
"""

BROWSER_MARKED = """
import pytest

@pytest.mark.browser
def test_needs_browser():
    pass

def test_plain():
    pass
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The outer suite itself usually runs under scripts/with-services.sh, often with
    # REQUIRE_SERVICES=1; the inner sessions must not see that.
    for name in ("DATABASE_URL", "REDIS_URL", "REQUIRE_SERVICES", "FLEXCARE_CHROMIUM"):
        monkeypatch.delenv(name, raising=False)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(
        "-p", "no:django", "-p", "no:cacheprovider", "-p", "tests.service_markers",
        "--strict-markers", "-rs", *args,
    )  # fmt: skip


@pytest.fixture
def listening_port() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_marked_tests_skipped_without_services(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(MARKED)
    result = run(pytester)
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(
        [
            "*needs PostgreSQL: DATABASE_URL is not set*",
            "*needs Redis: REDIS_URL is not set*",
            "*TESTS SKIPPED: SERVICES NOT AVAILABLE*",
            "1 test was SKIPPED because PostgreSQL was not available:",
            "    test_marked_tests_skipped_without_services.py::test_needs_postgres",
            "1 test was SKIPPED because Redis was not available:",
            "    test_marked_tests_skipped_without_services.py::test_needs_redis",
        ]
    )
    assert result.ret == pytest.ExitCode.OK


def test_sqlite_database_url_counts_as_missing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/secret-name.sqlite3")
    pytester.makepyfile(MARKED)
    result = run(pytester, "-m", "postgres")
    result.assert_outcomes(skipped=1, deselected=2)
    result.stdout.fnmatch_lines(["*DATABASE_URL is not a PostgreSQL URL (sqlite:...)*"])
    assert "secret-name" not in result.stdout.str()


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_postgres_marked_test_runs_with_postgres_url(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    # Only the URL is checked; a wrong server then fails loudly instead of being skipped.
    monkeypatch.setenv("DATABASE_URL", f"{scheme}://u@127.0.0.1:1/db")
    pytester.makepyfile(MARKED)
    result = run(pytester, "-m", "postgres")
    result.assert_outcomes(passed=1, deselected=2)
    assert "SERVICES NOT AVAILABLE" not in result.stdout.str()


def test_redis_marked_test_runs_when_server_listens(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, listening_port: int
) -> None:
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{listening_port}/0")
    pytester.makepyfile(MARKED)
    result = run(pytester, "-m", "redis")
    result.assert_outcomes(passed=1, deselected=2)


def test_redis_marked_test_skipped_when_nothing_listens(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{closed_port}/0")
    pytester.makepyfile(MARKED)
    result = run(pytester, "-m", "redis")
    result.assert_outcomes(skipped=1, deselected=2)
    result.stdout.fnmatch_lines([f"*cannot connect to Redis at 127.0.0.1:{closed_port}*"])


def test_require_services_fails_the_session(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.postgres
        def test_needs_postgres():
            raise AssertionError("must not run")
        """
    )
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*REQUIRE_SERVICES=1 but services needed by selected tests are unavailable:*",
            "*PostgreSQL: DATABASE_URL is not set*",
        ]
    )
    assert "must not run" not in result.stdout.str()


def test_require_services_ignores_deselected_tests(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    pytester.makepyfile(MARKED)
    result = run(pytester, "-m", "not postgres and not redis")
    result.assert_outcomes(passed=1, deselected=2)


def test_banner_lists_at_most_fifty_node_ids(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.postgres
        @pytest.mark.parametrize("n", range(55))
        def test_many(n):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(skipped=55)
    result.stdout.fnmatch_lines(
        [
            "55 tests were SKIPPED because PostgreSQL was not available:",
            "    test_banner_lists_at_most_fifty_node_ids.py::test_many[[]49[]]",
            "    ... and 5 more",
        ]
    )
    result.stdout.no_fnmatch_line("*test_many[[]50[]]*")


@pytest.fixture
def fake_chromium(tmp_path: Path) -> Path:
    """An executable standing in for the browser: the marker only checks that it is one."""
    path = tmp_path / "chromium"
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def test_browser_test_runs_with_an_executable_chromium(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake_chromium: Path
) -> None:
    monkeypatch.setenv("FLEXCARE_CHROMIUM", str(fake_chromium))
    pytester.makepyfile(BROWSER_MARKED)
    result = run(pytester)
    result.assert_outcomes(passed=2)
    assert "SERVICES NOT AVAILABLE" not in result.stdout.str()


def test_browser_falls_back_to_debians_chromium_when_unset(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake_chromium: Path
) -> None:
    monkeypatch.setattr(service_markers, "DEBIAN_CHROMIUM", str(fake_chromium))
    pytester.makepyfile(BROWSER_MARKED)
    run(pytester).assert_outcomes(passed=2)

    monkeypatch.setattr(service_markers, "DEBIAN_CHROMIUM", str(fake_chromium.parent / "none"))
    result = run(pytester)
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines([f"*needs Chromium: {fake_chromium.parent}/none is not an*"])


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "FLEXCARE_CHROMIUM is set but empty*"),
        ("{fake}.missing", "{fake}.missing is not an executable file*"),
        ("{dir}", "{dir} is not an executable file*"),
        ("{fake}.noexec", "{fake}.noexec is not an executable file*"),
    ],
    ids=["empty", "missing", "directory", "not-executable"],
)
def test_browser_test_skipped_loudly_without_a_usable_chromium(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    fake_chromium: Path,
    value: str,
    problem: str,
) -> None:
    (fake_chromium.parent / "chromium.noexec").write_text("")
    names = {"fake": fake_chromium, "dir": fake_chromium.parent}
    monkeypatch.setenv("FLEXCARE_CHROMIUM", value.format(**names))
    pytester.makepyfile(BROWSER_MARKED)
    result = run(pytester)
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*needs Chromium: " + problem.format(**names),
            "*TESTS SKIPPED: SERVICES NOT AVAILABLE*",
            "1 test was SKIPPED because Chromium was not available:",
            "    test_browser_test_skipped_loudly_without_a_usable_chromium.py::test_needs_browser",
        ]
    )


def test_browser_test_skipped_when_playwright_does_not_import(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake_chromium: Path
) -> None:
    monkeypatch.setenv("FLEXCARE_CHROMIUM", str(fake_chromium))
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # makes the import fail
    pytester.makepyfile(BROWSER_MARKED)
    result = run(pytester)
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*needs Chromium: Playwright does not import*"])


def test_require_services_fails_the_session_without_a_browser(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    monkeypatch.setenv("FLEXCARE_CHROMIUM", "")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.browser
        def test_needs_browser():
            raise AssertionError("must not run")
        """
    )
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*REQUIRE_SERVICES=1 but services needed by selected tests are unavailable:*",
            "*Chromium: FLEXCARE_CHROMIUM is set but empty*",
        ]
    )
    assert "must not run" not in result.stdout.str()
