"""Django's Redis cache, except that while Redis is out of reach it fails open: a read finds
nothing, a write does nothing, and a warning says so, instead of raising into the request.

The cache holds only counters (the login throttles, the per-serial tablet login limit) and can
always be rebuilt: a Redis outage must not turn every login into a 500. Meanwhile logins go on
without their counts; the per-account lockout (in the database) and the tablets' claim window
still hold (docs/lifecycle.md#under-faults)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


def _fail_open(method: Callable[..., Any], answer: Callable[..., Any]) -> Callable[..., Any]:
    """`method`, answering `answer(*args)` when Redis cannot be reached."""

    @functools.wraps(method)
    def call(self: RedisCacheClient, *args: Any) -> Any:
        try:
            return method(self, *args)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            logger.warning("cache: Redis is out of reach (%s); login counts are out of reach "
                           "until it is back", exc)
            return answer(*args)

    return call


def _nothing_there(key: str, delta: int) -> int:
    raise ValueError(f"Key {key!r} not found.")  # what incr() says of a missing key


class FailOpenRedisCacheClient(RedisCacheClient):
    get = _fail_open(RedisCacheClient.get, lambda key, default: default)
    get_many = _fail_open(RedisCacheClient.get_many, lambda keys: {})
    has_key = _fail_open(RedisCacheClient.has_key, lambda key: False)
    incr = _fail_open(RedisCacheClient.incr, _nothing_there)
    add = _fail_open(RedisCacheClient.add, lambda key, value, timeout: False)
    set = _fail_open(RedisCacheClient.set, lambda key, value, timeout: None)
    set_many = _fail_open(RedisCacheClient.set_many, lambda data, timeout: None)
    touch = _fail_open(RedisCacheClient.touch, lambda key, timeout: False)
    delete = _fail_open(RedisCacheClient.delete, lambda key: False)
    delete_many = _fail_open(RedisCacheClient.delete_many, lambda keys: None)
    clear = _fail_open(RedisCacheClient.clear, lambda: False)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = FailOpenRedisCacheClient
