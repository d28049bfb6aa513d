"""Exponential back-off with jitter, for everything that retries a remote call: the VDX
client's retries within one request and the provisioning task's retries."""

from __future__ import annotations

import math
import random


def backoff_delay(attempt: int, *, base: float, cap: float = math.inf,
                  least: float = 0.0) -> float:
    """Seconds to wait after failed attempt `attempt` (1, 2, …): base, 2·base, 4·base … up to
    `cap`, drawn at random between `least` (a share) of that and all of it, so that callers
    that failed together do not all retry together."""
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return ceiling * random.uniform(least, 1.0)  # noqa: S311  (jitter, not cryptography)
