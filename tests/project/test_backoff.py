"""Back-off: doubling from the base, capped, and jittered within the share asked for."""

from __future__ import annotations

import pytest

from flexcare import backoff
from flexcare.backoff import backoff_delay


@pytest.mark.parametrize(("draw", "expected"), [
    (max, [2, 4, 8, 16, 20, 20]),  # the top of the range: the ceiling
    (min, [1, 2, 4, 8, 10, 10]),  # its bottom: `least` of it
])
def test_the_delay_doubles_up_to_the_cap_within_the_jitter(monkeypatch, draw, expected):
    monkeypatch.setattr(backoff.random, "uniform", lambda low, high: draw(low, high))
    delays = [backoff_delay(attempt, base=2, cap=20, least=0.5) for attempt in range(1, 7)]
    assert delays == expected


def test_full_jitter_without_a_cap_by_default():
    delays = [backoff_delay(10, base=0.5) for _ in range(200)]
    assert all(0 <= delay <= 256 for delay in delays)
    assert max(delays) > 128  # not capped below the ceiling
