"""JSON over HTTP for the dev tools' clients (the tablet simulator, the soak's employees): one
request, and its status, headers and parsed body whatever the status. A request that gets no
answer (refused, cut off, timed out) raises OSError."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any

TIMEOUT = 15.0


@dataclass
class Answer:
    status: int
    headers: Message
    body: Any  # parsed JSON, the text of a body that is not JSON, or None when empty


# (method, url, JSON body or None, extra headers) -> Answer; the clients take one of these so
# that a load driver can count, time or spread their requests.
Transport = Callable[[str, str, Any, dict[str, str]], Answer]


def request_json(method: str, url: str, body: Any = None,
                 headers: dict[str, str] | None = None) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310  (the URL is the operator's own server)
        url, data=data, method=method,
        headers={**({"Content-Type": "application/json"} if data else {}), **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return Answer(response.status, response.headers, _parse(response.read()))
    except urllib.error.HTTPError as exc:  # a status >= 300 is an answer too
        with exc:
            return Answer(exc.code, exc.headers, _parse(exc.read()))


def _parse(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")
