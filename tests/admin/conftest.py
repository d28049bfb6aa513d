"""Fixtures of the admin tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.admin.isolation.world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The tenants world of the isolation sweep, built once per module."""
    yield from build_world(django_db_blocker)
