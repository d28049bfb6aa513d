"""Fixtures for the translation tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """The test client runs requests on the test's thread, where LocaleMiddleware leaves the
    request's language active: a Danish request must not make later tests Danish."""
    yield
    translation.activate("en")
