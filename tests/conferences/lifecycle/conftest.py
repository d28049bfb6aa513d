"""A fake VDX over real HTTP with the portal's settings pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conferences.providers.vdx_auth import TOKENS
from devtools.vdx_fake_server import RunningFakeVdx, running_fake_vdx
from tests.conferences.providers.conftest import configure


@pytest.fixture
def fake_vdx(settings) -> Iterator[RunningFakeVdx]:
    TOKENS.clear()
    with running_fake_vdx() as fake:
        configure(settings, fake, VDX_RETRIES=0, PROVISION_BACKOFF_SECONDS=0.01,
                  PROVISION_POLL_SECONDS=0.01)
        yield fake
    TOKENS.clear()
