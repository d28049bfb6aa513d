"""Shared fixtures. Service markers (postgres, redis) come from tests.service_markers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.vdx_fake_server import RunningFakeVdx, running_fake_vdx
from tests.tenants import Tenants, build_tenants

pytest_plugins = ["tests.service_markers"]


@pytest.fixture(autouse=True)
def _celery_join_allowed() -> None:
    """Celery's eager `apply` flips a process-wide "inside a task" flag and restores it
    without locking, so eager tasks run from several test threads can leave it set and make
    every later `result.get()` refuse. Each test starts with it cleared."""
    from celery._state import _set_task_join_will_block  # type: ignore[attr-defined]  # private to Celery, not in its stubs

    _set_task_join_will_block(False)


@pytest.fixture
def tenants(db: None) -> Tenants:
    """Two reseller trees with customers, staff at every level and objects of every model."""
    return build_tenants()


@pytest.fixture
def fake_vdx() -> Iterator[RunningFakeVdx]:
    """A fake MedCom VDX over real HTTP (the lifecycle tests have theirs, with the settings
    pointed at it)."""
    with running_fake_vdx() as fake:
        yield fake


@pytest.fixture
def celery_worker(tmp_path, transactional_db):
    """A real worker process on the real broker, sharing the test database."""
    from tests.celery_worker import running_worker

    with running_worker(tmp_path / "worker.log") as worker:
        yield worker
