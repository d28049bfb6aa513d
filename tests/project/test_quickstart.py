"""`make run`, as the README's reader and a process supervisor use it: its start-up output ends
with the demo logins and tablet tokens (after the worker's banner), without routine noise; the
simulator command it prints works when pasted; SIGTERM stops the web server, worker and beat
within 10 seconds.

It runs in a copy of the repository (its own var/: the developer's demo database is left
alone) with the project's .venv, on SQLite and the filesystem broker, as a new reader would."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STOP_LIMIT = 10.0
START_LIMIT = 240.0  # migrating a new SQLite database on a busy 2-core machine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _copy_of_the_repository(tmp_path: Path) -> Path:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,  # noqa: S607
                             check=True).stdout.decode().split("\0")
    copy = tmp_path / "flexcare"
    for name in filter(None, tracked):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)  # mtimes kept: make sees the venv up to date
    (copy / ".venv").symlink_to(ROOT / ".venv")
    return copy


def _session_processes(sid: int) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if os.getsid(int(proc.name)) == sid:
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (ProcessLookupError, PermissionError, FileNotFoundError):
            continue
    return found


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "celery").exists(), reason="needs make venv")
def test_make_run_prints_its_logins_last_and_stops_cleanly_on_sigterm(tmp_path):
    copy = _copy_of_the_repository(tmp_path)
    port = _free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DEBUG")}
    env["PORT"] = str(port)
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        make = subprocess.Popen(["make", "run"], cwd=copy, env=env, stdout=out,  # noqa: S607
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_LIMIT
        while "Portal: http" not in log.read_text() and time.monotonic() < deadline:
            assert make.poll() is None, log.read_text()
            time.sleep(0.5)
        output = log.read_text()
        assert "Portal: http" in output, output

        lines = output.splitlines()
        ready = next(i for i, line in enumerate(lines) if "celery@" in line and " ready." in line)
        logins = next(i for i, line in enumerate(lines) if "Demo data ready" in line)
        assert ready < logins, "the logins come after the worker's banner"
        assert "No hostname was supplied" not in output
        assert not [line for line in lines if " INFO " in line and "axes" in line], output

        # The simulator command as printed, pasted into another shell, with a bound on it.
        command = next(line.strip() for line in lines[logins:] if "simulate_tablet" in line)
        assert f"--url http://127.0.0.1:{port}" in command
        pasted = subprocess.run(["bash", "-c", f"{command} --rounds 1 --interval 0"],  # noqa: S603, S607
                                cwd=copy, env={k: v for k, v in env.items() if k != "PORT"},
                                capture_output=True, text=True, timeout=120)
        assert pasted.returncode == 0, pasted.stdout + pasted.stderr
        assert "token: fct_" in pasted.stdout, shlex.quote(pasted.stdout)
    finally:
        started = time.monotonic()
        make.send_signal(signal.SIGTERM)  # to make alone, as a supervisor does
        with contextlib.suppress(subprocess.TimeoutExpired):
            make.wait(timeout=30)
        while _session_processes(make.pid) and time.monotonic() - started < 30:
            time.sleep(0.1)
        took = time.monotonic() - started
        left = _session_processes(make.pid)
        if left:
            os.killpg(make.pid, signal.SIGKILL)
    assert not left, left
    assert took < STOP_LIMIT, f"stopped after {took:.1f} s"
    assert "Stopping the portal, worker and beat" in log.read_text()
