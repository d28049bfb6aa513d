"""Access logs keep no tokens: the contract puts them in query strings (`/iptv/app/validate?
token=…`, `/auth/validateToken?token=…`), and whoever reads a log must not be able to act as
a tablet or an employee. Both web servers are run for real: gunicorn with the project's
gunicorn.conf.py, as production runs it, and Django's development server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from flexcare.log_filters import redact_tokens

ROOT = Path(__file__).resolve().parents[2]
SECRET = "fct_Zq8sSECRETvalue4711"
QUERY = f"/no-such-page?token={SECRET}&access_token={SECRET}&keep=1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_when_up(url: str, process: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer")


def _serve_once(command: list[str], port: int, tmp_path: Path) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "flexcare.settings", "DEBUG": "0",
           "SECRET_KEY": "k3y-" + "x7Qp9vL2mN8rT4wZ6yB1cD5fG0hJ3kS" * 2,
           "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "INFO",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    log = tmp_path / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,  # noqa: S603
                                   stderr=subprocess.STDOUT, text=True)
        try:
            assert _get_when_up(f"http://127.0.0.1:{port}{QUERY}", process) == 404
            time.sleep(0.5)  # the access line is written after the response
        finally:
            process.terminate()
            process.wait(timeout=20)
    return log.read_text()


def test_gunicorn_access_log_redacts_tokens(tmp_path):
    port = _free_port()
    log = _serve_once([sys.executable, "-m", "gunicorn", "flexcare.wsgi", "--bind",
                       f"127.0.0.1:{port}", "--workers", "1"], port, tmp_path)
    assert "/no-such-page?token=[redacted]&access_token=[redacted]&keep=1" in log, log
    assert SECRET not in log


def test_development_server_log_redacts_tokens(tmp_path):
    port = _free_port()
    log = _serve_once([sys.executable, "manage.py", "runserver", "--noreload",
                       f"127.0.0.1:{port}"], port, tmp_path)
    assert "/no-such-page?token=[redacted]" in log, log
    assert SECRET not in log


@pytest.mark.parametrize(("text", "expected"), [
    ("GET /iptv/app/logout?token=abc HTTP/1.1", "GET /iptv/app/logout?token=[redacted] HTTP/1.1"),
    ("token=abc&x=1", "token=[redacted]&x=1"),
    ("/auth/validateToken?Token=abc", "/auth/validateToken?Token=[redacted]"),
    ("Bearer fcu_abc.def", "Bearer [redacted]"),
    ("/iptv/app/validate?tokens_left=3", "/iptv/app/validate?tokens_left=3"),
])
def test_redaction_keeps_everything_but_the_secret(text, expected):
    assert redact_tokens(text) == expected
