"""The fake VDX itself: the control endpoint and `manage.py fake_vdx`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def test_faults_and_counters_over_the_control_endpoint(fake_vdx):
    answer = httpx.post(fake_vdx.control_url, json={"fail_next": 2, "latency": 0.01})
    assert answer.status_code == 200
    assert answer.json()["faults"]["fail_next"] == 2

    assert httpx.get(fake_vdx.url + "/meetings").status_code == 500  # injected, before auth
    state = httpx.get(fake_vdx.control_url).json()
    assert state["faults"]["fail_next"] == 1
    assert state["requests"] == {"GET /videoapi/meetings": 1}

    assert httpx.post(fake_vdx.control_url, json={"reset": True}).json()["faults"][
        "fail_next"] == 0
    assert httpx.post(fake_vdx.control_url, json={"no_such_fault": 1}).status_code == 400


def test_the_api_wants_a_valid_bearer_token(fake_vdx):
    answer = httpx.get(fake_vdx.url + "/meetings", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401


def test_manage_py_fake_vdx_serves_until_interrupted():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONFAULTHANDLER": "1"}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "fake_vdx", "--port", str(port), "--fail-next", "3"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # Ctrl-C as at a terminal: a suite started in the background without job control
        # ignores SIGINT, and a child inherits that (Python then installs no handler for it).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                state = httpx.get(f"http://127.0.0.1:{port}/_control").json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "fake_vdx did not start"
                assert process.poll() is None, process.communicate()
                time.sleep(0.1)
        assert state["faults"]["fail_next"] == 3
    finally:
        process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)  # faulthandler: every thread's stack, on stderr
            out, err = process.communicate(timeout=10)
            raise AssertionError(f"fake_vdx did not stop on SIGINT:\n{out}\n{err}") from None
    assert process.returncode == 0, err
    assert f"VDX_API_URL=http://127.0.0.1:{port}/videoapi" in out
