"""Shared fixtures. Service markers (postgres, redis) come from tests.service_markers."""

from __future__ import annotations

import pytest

from tests.tenants import Tenants, build_tenants

pytest_plugins = ["tests.service_markers"]


@pytest.fixture
def tenants(db: None) -> Tenants:
    """Two reseller trees with customers, staff at every level and objects of every model."""
    return build_tenants()


@pytest.fixture
def celery_worker(tmp_path, transactional_db):
    """A real worker process on the real broker, sharing the test database."""
    from tests.celery_worker import running_worker

    with running_worker(tmp_path / "worker.log") as worker:
        yield worker
