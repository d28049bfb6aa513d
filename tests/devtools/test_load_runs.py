"""`make soak` (its short variant) and `make scale-demo` (smaller), run as users run them: each
starts a whole private stack and exits 0 only if every one of its checks held. They need the
PostgreSQL and Redis server binaries that scripts/with-services.sh provides."""

from __future__ import annotations

import subprocess
import sys

import pytest

from devtools.stack import ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def run(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,  # noqa: S603
                          text=True, timeout=900, check=False)
    print(done.stdout)  # the report, shown by pytest when the test fails (and with -s)
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-4000:]


def test_the_short_soak_loses_nothing_under_every_fault():
    run("devtools.soak", "--short")


def test_the_scale_demo_shares_the_load_between_two_web_servers_and_two_workers():
    run("devtools.scale_demo", "--tablets", "40", "--meetings", "10", "--interval", "2")
