"""Shared fixtures. Service markers (postgres, redis) come from tests.service_markers."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIRequestHandler
from django.db import transaction

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


@pytest.fixture(scope="module")
def tenants_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[Tenants]:
    """The tenants world, built once per module (under pytest-xdist, once on each worker that
    runs some of the module's tests) inside a transaction that is rolled back when the module
    is done. Each test then runs in a savepoint inside it (`db`), so its changes
    go with it; tests that use the world run last in their module (see below), so that no
    other test finds it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_tenants()
        transaction.set_rollback(True)


@pytest.fixture
def tenants(tenants_world: Tenants, db: None) -> Tenants:
    """Two reseller trees with customers, staff at every level and objects of every model.
    A copy per test, as Django's setUpTestData gives: a test may change its objects freely."""
    return copy.deepcopy(tenants_world)


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


# A wrapper that runs first, so its reordering comes after everyone else's (pytest-django puts
# transactional tests after the others, --failed-first puts failures first).
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Iterator[None]:
    yield
    uses_world = {item for item in items if "tenants_world" in getattr(item, "fixturenames", ())}
    for item in uses_world:
        if _transactional(item):
            raise pytest.UsageError(f"{item.nodeid}: the tenants world is never committed, so "
                                    "a transactional test cannot use it; call build_tenants()")
    # Within each run of tests of one module, those that use the world go last (keeping their
    # order): the world stays built until the module's last test.
    runs = itertools.groupby(items, key=lambda item: getattr(item, "module", None))
    items[:] = [item for _, run in runs
                for item in sorted(run, key=lambda item: item in uses_world)]
    # The modules that mostly wait (on the processes they start and the windows they let
    # pass) run first, on the worker that gets the start of the collection, while the others
    # compute; pytest-xdist's worksteal shares out the rest.
    if gone := sorted(m for m in WAITING_MODULES if not (settings.BASE_DIR / m).is_file()):
        raise pytest.UsageError(f"tests/conftest.py: WAITING_MODULES names no file: {gone}")
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in WAITING_MODULES)


WAITING_MODULES = frozenset({
    "tests/conferences/lifecycle/test_end_to_end.py",
    "tests/project/test_graceful_stop.py",
    "tests/project/test_quickstart.py",
    "tests/project/test_celery.py",
    "tests/project/test_broker_outage.py",
})


@pytest.fixture(scope="session", autouse=True)
def _live_server_sends_at_once() -> Iterator[None]:
    """Django's development server (pytest-django's live server) writes a response's headers
    and its body in two sends. On a kept-alive connection (the browser's) Nagle's
    algorithm then holds the body back until the client's delayed ACK: 40 ms a response. Its
    request handler has socketserver's switch for TCP_NODELAY; on for the tests."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(WSGIRequestHandler, "disable_nagle_algorithm", True)
        yield


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
