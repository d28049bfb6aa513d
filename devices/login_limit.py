"""The per-serial limit on tablet logins (docs/domain.md#claim-window).

After FAILURE_LIMIT refused or failed logins with one serial or barcode within WINDOW, every
login with it is refused until WINDOW after the first of them, from whatever address: the
per-address throttle (TABLET_LOGIN_RATE) cannot stop many addresses waiting together for a
tablet's claim window to open, nor guessing at one value from many. Unknown values are counted
too. Refusals meanwhile are not counted, so hammering does not extend the wait. The counts live
in the cache, shared by every web process when Redis is configured.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from flexcare.errors import ServiceError

FAILURE_LIMIT = 10
WINDOW = timedelta(minutes=15)


class LoginLimited(ServiceError):
    def __init__(self, retry_after: float) -> None:
        super().__init__("rate_limited",
                         _("Too many refused logins for this serial or barcode."), status=429)
        self.retry_after = retry_after


def _keys(field: str, value: str) -> tuple[str, str]:
    # Hashed: the value is whatever a client sent, and cache keys must stay short and printable.
    digest = hashlib.sha256(f"{field}:{value}".encode()).hexdigest()
    return f"tablet-login:{digest}:failures", f"tablet-login:{digest}:until"


def login_limit_check(*, field: str, value: str) -> None:
    """Raise LoginLimited while `value` of `field` (serial or device_id) is over the limit."""
    failures_key, until_key = _keys(field, value)
    found = cache.get_many([failures_key, until_key])
    # The stored end decides, not the cache's expiry, which may lag behind it.
    wait = found.get(until_key, 0) - time.time()
    if found.get(failures_key, 0) >= FAILURE_LIMIT and wait > 0:
        raise LoginLimited(retry_after=wait)


def login_failure_record(*, field: str, value: str) -> None:
    seconds = WINDOW.total_seconds()
    failures_key, until_key = _keys(field, value)
    # `add` and `incr` are atomic in Redis: failures from many addresses at once all count.
    cache.add(until_key, time.time() + seconds, timeout=seconds)
    cache.add(failures_key, 0, timeout=seconds)
    try:
        cache.incr(failures_key)
    except ValueError:  # the window ended between the two calls
        cache.add(failures_key, 1, timeout=seconds)
