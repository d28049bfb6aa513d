"""Gunicorn's access log without secrets (selected by gunicorn.conf.py). The contract puts
tablet and employee tokens in query strings (`/iptv/app/validate?token=…`): a log that kept
them would let anyone who reads it act as that tablet."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from .log_filters import redact_tokens


class RedactingLogger(Logger):
    # The stubs' atoms are a TypedDict of gunicorn's fixed keys; gunicorn's dict holds more (one
    # per header and environ variable), and this returns the same keys with redacted values.
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:  # type: ignore[override]  # see above
        # Every text atom: the request line, the query string, the referer and any header or
        # environ value an operator may add to access_log_format.
        return {name: redact_tokens(value) if isinstance(value, str) else value
                for name, value in super().atoms(resp, req, environ, request_time).items()}
