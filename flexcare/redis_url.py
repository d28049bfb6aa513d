"""REDIS_URL as each client reads it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit


def celery_url(redis_url: str) -> str:
    """The broker and result-backend URL for `redis_url`. A unix socket is `unix:///path?db=N`
    to redis-py (the cache) but `redis+socket:///path?virtual_host=N` to kombu and Celery's
    result backend, which know no `unix://`; any other URL is the same for both."""
    parts = urlsplit(redis_url)
    if parts.scheme != "unix":
        return redis_url
    db = parse_qs(parts.query).get("db", [""])[0]
    return f"redis+socket://{parts.path}" + (f"?virtual_host={db}" if db else "")
