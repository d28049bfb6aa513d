"""Fixtures of the admin tests."""

from __future__ import annotations

import pytest

from tests.admin.isolation.world import World, world_of
from tests.tenants import Tenants


@pytest.fixture(scope="module")
def world(tenants_world: Tenants) -> World:
    """The tenants world of the isolation sweep, built once per module."""
    return world_of(tenants_world)
