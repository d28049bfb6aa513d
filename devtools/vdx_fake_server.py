"""A fake MedCom VDX booking API over real HTTP(S), for tests and local runs (`manage.py
fake_vdx`). It implements only what conferences.providers.vdx calls:

    POST {root}/oauth/token                   OAuth2 client credentials -> bearer token
    POST {root}/videoapi/meetings             book (400 error 21 on a reused externalId)
    GET  {root}/videoapi/meetings?label=X     search by exact label
    PATCH/DELETE {root}/videoapi/meetings/{uuid}   (move while awaiting provisioning, end)
    GET  {root}/videoapi/scheduling-info/{uuid}
    GET/POST {root}/_control                  counters / set faults, {"reset": true},
                                              {"revoke_tokens": true}

Bookings live in memory. Faults (see Faults) apply to the API paths, not to the token endpoint
or /_control. A "timeout" sleeps and then still does the work, like a real server whose answer
got lost: exactly the case in which a client must not book twice.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import ssl
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

API_PREFIX = "/videoapi"
TOKEN_PATH = "/oauth/token"  # noqa: S105 (a path, not a password)
CONTROL_PATH = "/_control"
DOMAIN = "rooms.vdx-fake.invalid"
CLIENT_ID, CLIENT_SECRET = "fake-vdx-client", "fake-vdx-secret"


@dataclass
class Faults:
    latency: float = 0.0  # seconds added to every request
    fail_next: int = 0  # the next N API requests answer fail_status (with fail_code, if set)
    fail_status: int = 500
    fail_code: int | None = None  # detailed_error_code, e.g. 24 ("try again")
    timeout_next: int = 0  # the next N API requests sleep timeout_seconds before answering
    timeout_seconds: float = 5.0
    provision_after_reads: int = 0  # new bookings stay AWAITS_PROVISION for N status reads
    provision_after_seconds: float = 0.0  # ... and at least this long after booking
    provision_problems: bool = False  # new bookings end in PROVISION_PROBLEMS
    # Like VDX's vmrAvailableBefore: a booking is provisioned only from this many seconds
    # before its startTime (None: at once, whatever its start).
    vmr_available_before: float | None = None
    duplicate_external_id: bool = True  # a reused externalId is refused, like real VDX
    token_expires_in: int = 3600
    # Fields answered instead of the room's own in scheduling info: an odd or hostile VDX
    # (a portalLink that is not https:, a room address with "&" in it).
    scheduling_info: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Meeting:
    uuid: str
    body: dict[str, Any]
    number: int
    guest_pin: int
    host_pin: int
    short_id: str
    problems: bool
    ready_at: float
    reads_left: int
    status: str = "AWAITS_PROVISION"

    def meeting(self) -> dict[str, Any]:
        return {**self.body, "uuid": self.uuid, "shortId": self.short_id,
                "shortLink": self.short_link, "shortlink": self.short_link}

    @property
    def short_link(self) -> str:
        return f"https://m.vdx-fake.invalid/{self.short_id}"

    def scheduling_info(self) -> dict[str, Any]:
        uri = f"{self.number}@{DOMAIN}"
        return {
            "uuid": self.uuid, "uriWithDomain": uri, "uriWithoutDomain": str(self.number),
            "guestPin": self.guest_pin, "hostPin": self.host_pin,
            "provisionStatus": self.status,
            "provisionStatusDescription": (
                f"Provisioning problems - conference {uri} rejected (pin {self.host_pin})"
                if self.status == "PROVISION_PROBLEMS" else ""),
            "portalLink": f"https://portal.vdx-fake.invalid/?url={uri}&pin={self.guest_pin}",
            "shortLink": self.short_link, "shortlink": self.short_link,
            "endMeetingOnEndTime": self.body.get("endMeetingOnEndTime", False),
            "meetingDetails": self.meeting(),
        }


@dataclass
class FakeVdxState:
    """Everything the server knows; every access holds `lock` (handlers run in threads)."""

    faults: Faults = field(default_factory=Faults)
    require_token: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    meetings: dict[str, _Meeting] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    created: int = 0
    booked: Counter[str] = field(default_factory=Counter)  # bookings made per externalId
    tokens_issued: int = 0
    deleted: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)

    def set_faults(self, **changes: Any) -> None:
        names = {f.name for f in fields(Faults)}
        if unknown := set(changes) - names:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        with self.lock:
            for name, value in changes.items():
                setattr(self.faults, name, value)

    def reset(self) -> None:
        with self.lock:
            self.faults = Faults()
            self.meetings.clear()
            self.tokens.clear()
            self.requests.clear()
            self.created = self.tokens_issued = 0
            self.booked.clear()
            self.deleted.clear()
            self.ended.clear()
            self.moved.clear()

    def revoke_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "faults": asdict(self.faults), "bookings_created": self.created,
                "booked": dict(self.booked),
                "tokens_issued": self.tokens_issued, "requests": dict(self.requests),
                "deleted": list(self.deleted), "ended": list(self.ended),
                "moved": list(self.moved),
                "bookings": {u: {"status": m.status, "externalId": m.body.get("externalId"),
                                 "startTime": m.body.get("startTime"),
                                 "endTime": m.body.get("endTime")}
                             for u, m in self.meetings.items()},
            }


class _Handler(BaseHTTPRequestHandler):
    server: FakeVdxServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("fake VDX: " + format, *args)

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        state = self.server.state
        if url.path == CONTROL_PATH:
            return self._control(method, raw)
        api = url.path.removeprefix(API_PREFIX) if url.path.startswith(API_PREFIX + "/") else ""
        parts = api.strip("/").split("/")
        with state.lock:
            state.requests[f"{method} {_route(url.path)}"] += 1
            faults = state.faults
            latency = faults.latency
            fail = sleep = None
            if api and faults.fail_next > 0:
                faults.fail_next -= 1
                fail = (faults.fail_status, faults.fail_code)
            elif api and faults.timeout_next > 0:
                faults.timeout_next -= 1
                sleep = faults.timeout_seconds
        time.sleep(latency + (sleep or 0))
        if url.path == TOKEN_PATH and method == "POST":
            return self._token(raw)
        if not api:
            return self._error(404, None, "no such endpoint")
        if fail:
            return self._error(fail[0], fail[1], "injected failure")
        if state.require_token and not self._authorised():
            return self._error(401, None, "missing or invalid token")
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return self._error(400, None, "body is not JSON")
        with state.lock:
            status, answer = _api(state, method, parts, parse_qs(url.query), body)
        if status >= 400:
            return self._error(status, answer.get("code"), answer["error"])
        self._send(status, answer.get("_json", answer))

    def _authorised(self) -> bool:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        state = self.server.state
        with state.lock:
            return scheme.lower() == "bearer" and state.tokens.get(token, 0) > time.time()

    def _token(self, raw: bytes) -> None:
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        scheme, _, basic = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "basic":
            user, _, password = base64.b64decode(basic).decode().partition(":")
            form.setdefault("client_id", user)
            form.setdefault("client_secret", password)
        if form.get("grant_type") != "client_credentials":
            return self._send(400, {"error": "unsupported_grant_type"})
        if (form.get("client_id"), form.get("client_secret")) != self.server.credentials:
            return self._send(401, {"error": "invalid_client"})
        state = self.server.state
        token = secrets.token_urlsafe(24)
        with state.lock:
            expires_in = state.faults.token_expires_in
            state.tokens[token] = time.time() + expires_in
            state.tokens_issued += 1
        self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": expires_in})

    def _control(self, method: str, raw: bytes) -> None:
        state = self.server.state
        if method == "POST":
            try:
                changes = json.loads(raw or b"{}")
                if changes.pop("reset", False):
                    state.reset()
                if changes.pop("revoke_tokens", False):
                    state.revoke_tokens()
                state.set_faults(**changes)
            except (ValueError, TypeError, AttributeError) as exc:
                return self._send(400, {"error": str(exc)})
        self._send(200, state.snapshot())

    def _error(self, status: int, code: int | None, text: str) -> None:
        body: dict[str, Any] = {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                "status": status, "error": text, "path": self.path}
        if code is not None:
            body |= {"detailed_error": text, "detailed_error_code": code}
        self._send(status, body)

    def _send(self, status: int, body: Any) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _route(path: str) -> str:
    """The request counter's key: ids replaced by {uuid}."""
    parts = path.split("/")
    if len(parts) > 3 and parts[2] in ("meetings", "scheduling-info"):
        parts[3] = "{uuid}"
    return "/".join(parts)


def _api(state: FakeVdxState, method: str, parts: list[str], query: dict[str, list[str]],
         body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The booking API proper; runs under state.lock. Errors: (status, {error, code})."""
    match method, parts:
        case "POST", ["meetings"]:
            return _create(state, body)
        case "GET", ["meetings"]:
            label = (query.get("label") or [""])[0]
            found = [m.meeting() for m in state.meetings.values()
                     if label in m.body.get("labels", [])]
            return 200, {"_json": found}
        case "GET", ["scheduling-info", key] if key in state.meetings:
            meeting = state.meetings[key]
            if meeting.status == "AWAITS_PROVISION":
                meeting.reads_left -= 1
                if (meeting.reads_left < 0 and time.time() >= meeting.ready_at
                        and _available(meeting, state.faults.vmr_available_before)):
                    meeting.status = ("PROVISION_PROBLEMS" if meeting.problems
                                      else "PROVISIONED_OK")
            return 200, meeting.scheduling_info() | state.faults.scheduling_info
        case "PATCH", ["meetings", key] if key in state.meetings:
            return _patch(state, key, body)
        case "DELETE", ["meetings", key] if key in state.meetings:
            if state.meetings[key].status != "AWAITS_PROVISION":
                return 406, {"error": "wrong provision status for delete", "code": 13}
            del state.meetings[key]
            state.deleted.append(key)
            return 204, {"_json": None}
    return 404, {"error": "not found"}


def _patch(state: FakeVdxState, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Like VDX: changes while awaiting provisioning; of a provisioned room only the end time
    (and an end time now or past ends it: endMeetingOnEndTime, the provisioner tears it
    down); nothing in any other state."""
    meeting = state.meetings[key]
    moving = {k: v for k, v in body.items() if k in ("startTime", "endTime", "subject")}
    if meeting.status == "PROVISIONED_OK":
        if moving.get("startTime", meeting.body.get("startTime")) != meeting.body.get(
                "startTime"):
            return 406, {"error": "only endTime may change once provisioned", "code": 12}
    elif meeting.status != "AWAITS_PROVISION":
        return 406, {"error": "wrong provision status for update", "code": 12}
    meeting.body |= moving
    if meeting.status == "PROVISIONED_OK" and _at_or_before_now(moving.get("endTime")):
        meeting.status = "DEPROVISION_OK"
        state.ended.append(key)
    elif "startTime" in moving or "endTime" in moving:
        state.moved.append(key)
    return 200, meeting.meeting()


def _parse_time(value: object) -> float | None:
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return None


def _at_or_before_now(value: object) -> bool:
    moment = _parse_time(value) if value is not None else None
    return moment is not None and moment <= time.time() + 1  # our clocks agree within a second


def _available(meeting: _Meeting, before: float | None) -> bool:
    start = _parse_time(meeting.body.get("startTime"))
    return before is None or start is None or time.time() >= start - before


def _create(state: FakeVdxState, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    subject, external_id = body.get("subject"), body.get("externalId")
    if not subject or not body.get("startTime") or not body.get("endTime"):
        return 400, {"error": "subject, startTime and endTime are required", "code": 30}
    if len(subject) > 100:
        return 400, {"error": "subject longer than 100", "code": 30}
    taken = any(m.body.get("externalId") == external_id for m in state.meetings.values())
    if external_id and taken and state.faults.duplicate_external_id:
        return 400, {"error": "ExternalId not unique within organisation.", "code": 21}
    faults = state.faults
    meeting = _Meeting(
        uuid=str(uuid.uuid4()), body=dict(body), number=100_000 + len(state.meetings),
        # Long PINs: a test can look for them in logs without matching ports or timestamps.
        guest_pin=secrets.randbelow(900_000_000) + 100_000_000,
        host_pin=secrets.randbelow(900_000_000) + 100_000_000,
        short_id=secrets.token_hex(6), problems=faults.provision_problems,
        ready_at=time.time() + faults.provision_after_seconds,
        reads_left=faults.provision_after_reads,
    )
    state.meetings[meeting.uuid] = meeting
    state.created += 1
    state.booked[external_id or ""] += 1
    return 200, meeting.meeting()


class FakeVdxServer(ThreadingHTTPServer):
    daemon_threads = True  # a handler sleeping out a "timeout" must not block shutdown

    def __init__(self, address: tuple[str, int], state: FakeVdxState,
                 credentials: tuple[str, str] = (CLIENT_ID, CLIENT_SECRET)) -> None:
        super().__init__(address, _Handler)
        self.state = state
        self.credentials = credentials
        self.scheme = "http"

    def use_tls(self, *, cert: str, key: str, client_ca: str = "") -> None:
        """Serve HTTPS; with `client_ca`, require a client certificate issued by it."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        if client_ca:
            context.load_verify_locations(client_ca)
            context.verify_mode = ssl.CERT_REQUIRED
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.scheme = "https"

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("fake VDX: request from %s aborted", client_address, exc_info=True)

    @property
    def root(self) -> str:
        host, port = self.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"  # a str: bound to a host name


@dataclass
class RunningFakeVdx:
    server: FakeVdxServer

    @property
    def url(self) -> str:
        return self.server.root + API_PREFIX

    @property
    def token_url(self) -> str:
        return self.server.root + TOKEN_PATH

    @property
    def control_url(self) -> str:
        return self.server.root + CONTROL_PATH

    def set_faults(self, **changes: Any) -> None:
        self.server.state.set_faults(**changes)

    def state(self) -> dict[str, Any]:
        return self.server.state.snapshot()

    def revoke_tokens(self) -> None:
        self.server.state.revoke_tokens()


@contextmanager
def running_fake_vdx(*, host: str = "127.0.0.1", port: int = 0, require_token: bool = True,
                     tls: dict[str, str] | None = None, **faults: Any) -> Iterator[RunningFakeVdx]:
    """The fake in a background thread (port 0: a free one). `tls`: use_tls() arguments."""
    state = FakeVdxState(require_token=require_token)
    state.set_faults(**faults)
    server = FakeVdxServer((host, port), state)
    if tls:
        server.use_tls(**tls)
    # A short poll interval: shutdown() waits up to one interval, once per test.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), name="fake-vdx",
                              daemon=True)
    thread.start()
    try:
        yield RunningFakeVdx(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
