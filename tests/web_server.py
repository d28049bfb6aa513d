"""The portal under gunicorn (the project's gunicorn.conf.py) in a subprocess, for tests that
prove what a real server does. It uses the test database: tests that use it must commit their
data (`django_db(transaction=True)`, PostgreSQL)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devtools.httpjson import request_json
from devtools.stack import Process, free_port, wait_until
from tests.celery_worker import shared_database_url


@contextmanager
def running_web(log: Path, **env: str) -> Iterator[tuple[str, Process]]:
    """(base URL, the gunicorn process), stopped at the end unless the test stopped it."""
    port = free_port()
    web = Process("web", [sys.executable, "-m", "gunicorn", "flexcare.wsgi", "--workers", "2",
                          "--bind", f"127.0.0.1:{port}"], log, {
        **os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": shared_database_url(), **env}).start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: request_json("GET", base + "/health").status == 200, timeout=60,
                   what="gunicorn", alive=lambda: web.alive)
        yield base, web
    finally:
        web.stop(timeout=10)
