"""Fixtures for the dev tools' tests."""

# The simulator logs tablets in: as in the API tests, each test starts with no login counted.
from tests.api.conftest import _fresh_throttles  # noqa: F401
