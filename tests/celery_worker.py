"""A real Celery worker (optionally with embedded beat) in a subprocess, for tests that prove
behaviour across the broker. It uses the test database, so tests that use it must commit
their data (`django_db(transaction=True)`)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from django.db import connection

from devtools.vdx_fake_server import CLIENT_ID, CLIENT_SECRET, RunningFakeVdx, running_fake_vdx
from flexcare.celery import app

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def shared_database_url() -> str:
    """The test database's URL, for processes that share it (workers, servers)."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("a worker shares the test database only on PostgreSQL")
    user = db["USER"] or ""
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    # A unix socket's folder goes first in the path (django-environ's form, as
    # scripts/with-services.sh writes it): postgres://user@:port//folder/name.
    host, name = db["HOST"], db["NAME"]
    if host.startswith("/"):
        host, name = "", f"{host}/{name}"
    return f"postgres://{user}{password}@{host}:{db['PORT']}/{name}"


@contextmanager
def running_worker(
    log_path: Path, *, beat: bool = False, extra_env: dict[str, str] | None = None,
    purge: bool = True,
) -> Iterator[subprocess.Popen[bytes]]:
    """A worker until the block ends (then stopped, if the test did not stop it). `purge`
    drops what other tests left on the broker first."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "FLEXCARE_TEST_EAGER": "0",
           **(extra_env or {})}
    if connection.settings_dict["ENGINE"] == "django.db.backends.postgresql":
        env["DATABASE_URL"] = shared_database_url()
    args = [sys.executable, "-m", "celery", "-A", "flexcare", "worker", "--loglevel=INFO",
            "--concurrency=2", "--without-gossip", "--without-mingle",
            f"--hostname=test-{os.getpid()}@%h"]
    if beat:
        args += ["--beat", f"--schedule={log_path.parent / 'beat-schedule'}"]
    with log_path.open("ab") as log:
        worker = subprocess.Popen(  # noqa: S603
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    if purge:
        app.control.purge()  # messages other tests left on the broker are not this worker's
    try:
        _wait_until_ready(worker, log_path)
        yield worker
    finally:
        app.conf.task_always_eager = eager
        with contextlib.suppress(ProcessLookupError):  # the test may have stopped it
            os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def _wait_until_ready(worker: subprocess.Popen[bytes], log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"worker exited early:\n{log_path.read_text()[-4000:]}")
        if app.control.ping(timeout=0.5):
            return
    raise RuntimeError(f"worker not ready after {timeout} s:\n{log_path.read_text()[-4000:]}")


def wait_for(condition: Callable[[], T], timeout: float = 40, what: str = "") -> T:
    """The condition's first truthy value, asked every 0.2 s for at most `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what or condition}")


def vdx_env(fake: RunningFakeVdx, **env: str) -> dict[str, str]:
    """A worker's settings for booking at `fake`, with short waits."""
    return {
        "VDX_PROVIDER": "vdx", "VDX_API_URL": fake.url, "VDX_TOKEN_URL": fake.token_url,
        "VDX_CLIENT_ID": CLIENT_ID, "VDX_CLIENT_SECRET": CLIENT_SECRET,
        "VDX_TIMEOUT_SECONDS": "5", "VDX_BACKOFF_SECONDS": "0.1",
        "PROVISION_POLL_SECONDS": "0.3", "PROVISION_BACKOFF_SECONDS": "0.2",
        "LIFECYCLE_SWEEP_SECONDS": "1", **env,
    }


@contextmanager
def lifecycle(tmp_path: Path, **env: str) -> Iterator[RunningFakeVdx]:
    """A fake VDX, and a worker with beat configured to use it."""
    with running_fake_vdx() as fake, running_worker(
            tmp_path / "worker.log", beat=True, extra_env=vdx_env(fake, **env)):
        yield fake
