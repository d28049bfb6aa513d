"""Celery configuration, and a round trip through a real Redis and a real worker."""

from __future__ import annotations

import pytest

from flexcare.celery import app, ping


def test_celery_speaks_json_only_and_survives_lost_workers():
    conf = app.conf
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == conf.result_serializer == "json"
    assert conf.task_acks_late
    assert conf.task_reject_on_worker_lost
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit


@pytest.mark.redis
@pytest.mark.postgres
def test_ping_runs_on_a_real_worker_over_redis(celery_worker):
    assert app.conf.broker_url.startswith(("redis://", "redis+socket://"))
    assert ping.delay().get(timeout=30) == "pong"


@pytest.mark.redis
@pytest.mark.postgres
def test_healthcheck_passes_with_a_worker(celery_worker):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("healthcheck", stdout=out)
    assert out.getvalue().split() == ["database:", "ok", "worker:", "ok"]


@pytest.mark.redis
@pytest.mark.django_db
def test_healthcheck_fails_without_a_worker(monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    with pytest.raises(CommandError, match="worker: no answer"):
        call_command("healthcheck", "--timeout", "1")
