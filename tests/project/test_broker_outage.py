"""Redis down: the portal keeps answering. A request that queues a task (here: creating a
meeting) answers as usual and leaves the task to the periodic jobs; it must not wait for the
broker, or every web worker ends up waiting and the tablets' polls time out behind them. Logins,
whose throttles count in the cache (Redis), go on without their counts meanwhile."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.services import user_token_issue
from devtools.httpjson import request_json
from devtools.stack import Process, free_port, redis_ping, wait_until
from tests.factories import PASSWORD, DeviceFactory, UserFactory
from tests.web_server import running_web

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_gone(tmp_path: Path) -> Iterator[str]:
    """The portal's URL; its Redis (broker and cache) was there when it started, and is gone."""
    port = free_port()
    redis = Process("redis", ["redis-server", "--bind", "127.0.0.1", "--port", str(port),
                              "--save", "", "--appendonly", "no"],
                    tmp_path / "redis.log", dict(os.environ)).start()
    try:
        wait_until(lambda: redis_ping(port), timeout=30, what="Redis", alive=lambda: redis.alive)
        with running_web(tmp_path / "web.log", REDIS_URL=f"redis://127.0.0.1:{port}/0",
                         FLEXCARE_TEST_EAGER="0") as (base, _):
            redis.stop()
            yield base
    finally:
        redis.stop()


def test_a_request_that_queues_a_task_answers_at_once_while_redis_is_down(redis_gone, tmp_path):
    device = DeviceFactory.create()
    token = user_token_issue(user=UserFactory.create(customer=device.customer))
    started = time.monotonic()
    answer = request_json(
        "POST", redis_gone + "/iptv/flexcareconference/meeting",
        {"customer": device.customer_id, "devices": [device.pk]},
        {"Authorization": f"Bearer {token}"})
    assert time.monotonic() - started < 5
    assert answer.status == 200
    assert answer.body["provisioning"] == "PENDING"  # the periodic jobs will queue it again
    assert "could not queue conferences.provision_meeting" in (tmp_path / "web.log").read_text()


def test_tablets_and_employees_log_in_while_redis_is_down(redis_gone, tmp_path):
    device = DeviceFactory.create()
    employee = UserFactory.create(customer=device.customer)
    tablet = request_json("POST", redis_gone + "/iptv/app/login/serial", {"serial": device.serial})
    person = request_json("POST", redis_gone + "/auth/login",
                          {"username": employee.email, "password": PASSWORD})
    assert (tablet.status, person.status) == (200, 200)
    assert tablet.body["token"]
    assert person.body["token"]
    assert "login counts are out of reach" in (tmp_path / "web.log").read_text()
