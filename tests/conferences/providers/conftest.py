"""Fixtures for the VDX provider tests: a real fake VDX over HTTP and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conferences.providers.vdx import VdxProvider
from conferences.providers.vdx_auth import TOKENS
from devtools.vdx_fake_server import CLIENT_ID, CLIENT_SECRET, RunningFakeVdx


@pytest.fixture(autouse=True)
def _fresh_token_cache() -> Iterator[None]:
    # The cache is process-wide by design; tests must not see each other's tokens.
    TOKENS.clear()
    yield
    TOKENS.clear()


def configure(settings: Any, fake: RunningFakeVdx, **overrides: Any) -> None:
    settings.VDX_PROVIDER = "vdx"
    settings.VDX_API_URL = fake.url
    settings.VDX_TOKEN_URL = fake.token_url
    settings.VDX_CLIENT_ID = CLIENT_ID
    settings.VDX_CLIENT_SECRET = CLIENT_SECRET
    settings.VDX_CLIENT_CERT = settings.VDX_CLIENT_KEY = settings.VDX_CA_BUNDLE = ""
    settings.VDX_TIMEOUT_SECONDS = 2.0
    settings.VDX_RETRIES = 3
    settings.VDX_BACKOFF_SECONDS = 0.01
    for name, value in overrides.items():
        setattr(settings, name, value)


@pytest.fixture
def vdx(settings: Any, fake_vdx: RunningFakeVdx) -> VdxProvider:
    configure(settings, fake_vdx)
    return VdxProvider.from_settings()
