"""Bearer secrets (tablet and employee tokens): made and stored the same way for both."""

from __future__ import annotations

import hashlib
import secrets
from typing import NamedTuple


class NewSecret(NamedTuple):
    plain: str  # shown once, never stored
    prefix: str  # stored, so a person can tell tokens apart
    digest: str  # stored, and looked up


def secret_digest(token: str) -> str:
    # 256 random bits: a plain SHA-256 is enough (nothing to brute-force), and the lookup stays
    # an indexed equality match instead of a scan with a slow password hash.
    # "surrogatepass": a token that is not valid UTF-8 text just matches nothing.
    return hashlib.sha256(token.encode(errors="surrogatepass")).hexdigest()


def secret_new(marker: str) -> NewSecret:
    """A new token: `marker` (e.g. "fct_", for secret scanners) + 32 random bytes."""
    plain = marker + secrets.token_urlsafe(32)
    return NewSecret(plain, plain[: len(marker) + 6], secret_digest(plain))
