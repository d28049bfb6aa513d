"""The meeting document as the tablets poll it (getmeeting), rendered once per version of the
meeting (Conference.version, bumped by every write that changes the document) and then
served from memory: this process's own first, then Django's cache (Redis in production, so
that the web processes share one rendering; local memory otherwise). An entry is never
stale — a new version has a new key — so nothing is ever invalidated; old ones just age out.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

from .selectors import tablet_meeting
from .wire import meeting_wire

logger = logging.getLogger(__name__)

# Part of the keys and the ETag: raise it when a release changes how the document is
# rendered, so that neither a cached rendering nor a tablet's ETag of the old one is reused.
DOCUMENT_FORMAT = 1
# In Django's cache: long enough to serve every poll between two changes of a busy meeting,
# short enough that the renderings of versions nobody asks for any more leave soon.
SHARED_SECONDS = 300
# In each process: the most recently used renderings, up to this many bytes.
LOCAL_BYTES = 16 * 1024 * 1024


def meeting_etag(meeting_id: str, version: int) -> str:
    """The document's ETag: it changes with the meeting's version, and names the meeting, so
    that it is never that of another meeting's document."""
    return f'"{DOCUMENT_FORMAT}.{meeting_id}.{version}"'


def tablet_document(meeting_id: str, version: int) -> tuple[int, bytes] | None:
    """The ready meeting's document as JSON, with the version it is of (newer than `version`
    when the meeting changed since the poll read it); None if the meeting is no longer
    ready (closed since the poll)."""
    key = f"tablet-document:{DOCUMENT_FORMAT}:{meeting_id}:{version}"
    body = _local.get(key)
    if body is None:
        body = _shared(cache.get, key)
        if body is not None:
            _local.put(key, body)
    if body is not None:
        return version, body
    with _one_snapshot():
        found = tablet_meeting(meeting_id)
    if found is None or not found[0].is_ready:
        return None
    meeting = found[0]
    body = json.dumps(meeting_wire(*found), separators=(",", ":")).encode()
    # Keyed by the version read with the document: the key and the ETag name exactly it.
    key = f"tablet-document:{DOCUMENT_FORMAT}:{meeting.pk}:{meeting.version}"
    _shared(cache.set, key, body, SHARED_SECONDS)
    _local.put(key, body)
    return meeting.version, body


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """The document's queries read one snapshot, in which its version is that of its
    contents (every change bumps it in the same transaction). PostgreSQL only: on SQLite (the
    quickstart) each statement reads its own, and a document rendered during a change may be
    newer than its version says, until the next poll renders the new version."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield  # (in a transaction already, the snapshot is the one it has)
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


class _Renderings:
    """This process's most recently used renderings, up to `limit` bytes; thread-safe."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.entries: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            body = self.entries.get(key)
            if body is not None:
                self.entries.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = body
            self.size += len(body)
            while self.size > self.limit and self.entries:
                self.size -= len(self.entries.popitem(last=False)[1])


_local = _Renderings(LOCAL_BYTES)
_shared_failed_at = -60.0


def _shared(call: Callable[..., Any], *args: Any) -> Any:
    """A call to Django's cache that fails (Redis down or slow) as a miss: the tablets still
    get their document, rendered more often meanwhile. Logged at most once a minute."""
    global _shared_failed_at
    try:
        return call(*args)
    except Exception as exc:  # whatever the cache backend raises
        if time.monotonic() - _shared_failed_at >= 60:
            _shared_failed_at = time.monotonic()
            logger.warning("tablet document cache unavailable: %s", exc)
        return None
