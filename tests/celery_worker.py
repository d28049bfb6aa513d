"""A real Celery worker (optionally with embedded beat) in a subprocess, for tests that prove
behaviour across the broker. It uses the test database, so tests that use it must commit
their data (`django_db(transaction=True)`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from flexcare.celery import app

ROOT = Path(__file__).resolve().parents[1]


def _test_database_url() -> str:
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
    log_path: Path, *, beat: bool = False, extra_env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "FLEXCARE_TEST_EAGER": "0",
           **(extra_env or {})}
    if connection.settings_dict["ENGINE"] == "django.db.backends.postgresql":
        env["DATABASE_URL"] = _test_database_url()
    args = [sys.executable, "-m", "celery", "-A", "flexcare", "worker", "--loglevel=INFO",
            "--concurrency=2", "--without-gossip", "--without-mingle",
            f"--hostname=test-{os.getpid()}@%h"]
    if beat:
        args += ["--beat", f"--schedule={log_path.parent / 'beat-schedule'}"]
    with log_path.open("wb") as log:
        worker = subprocess.Popen(  # noqa: S603
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    app.control.purge()  # messages other tests left on the broker are not this worker's
    try:
        _wait_until_ready(worker, log_path)
        yield worker
    finally:
        app.conf.task_always_eager = eager
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
