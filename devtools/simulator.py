"""A tablet over HTTP, for developers and testers: log in, poll getmeeting and getcommands,
"execute" commands and acknowledge them — what a bedside tablet does, without one.

Like a tablet on a poor network it keeps an acknowledgement that got no answer (or a 5xx) and
sends it again before its next poll. For load and fault runs (devtools.soak) it can also lose
a share of getcommands answers (the server claimed those commands; they come back when the
claim expires) and send a share of acknowledgements twice; `executed` lists every command it
ran, so a command handed out again after it ran shows up twice there.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devtools.httpjson import Answer, Transport, request_json

MEETING_PATH = "/iptv/flexcareconference/meeting"


class TabletError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(f"{status} {error.get('code', '?')}: {error.get('message', body)}")
        self.status = status
        self.code = error.get("code")


@dataclass
class TabletSimulator:
    base_url: str
    say: Callable[[str], None] = print
    token: str | None = None
    fail_types: set[str] = field(default_factory=set)
    executed: list[dict[str, Any]] = field(default_factory=list)
    transport: Transport = request_json
    drop_answers: float = 0.0  # share of getcommands answers lost on the way back
    repeat_acks: float = 0.0  # share of acknowledgements sent twice
    rng: random.Random = field(default_factory=random.Random)
    _unacked: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _etag: str | None = None
    _meeting: dict[str, Any] | None = None
    _interval: float | None = None
    _waiting: bool = False  # "no meeting" was said and still holds

    def login(self, *, serial: str | None = None, device_id: str | None = None) -> dict:
        path, body = (("/iptv/app/login/serial", {"serial": serial}) if serial is not None
                      else ("/iptv/app/login/deviceid", {"deviceId": device_id or ""}))
        _, device = self._call(path, body)
        self.token = device["token"]
        self.say(f"logged in as {device['name']} ({device['serial']}), device {device['_id']}")
        return device

    def poll_once(self) -> dict[str, Any] | None:
        """One round: acknowledgements still owed, getmeeting (with ETag), then claim, execute
        and acknowledge commands."""
        self._send_owed_acks()
        headers = {"If-None-Match": self._etag} if self._etag else {}
        try:
            status, meeting = self._call(f"{MEETING_PATH}/device", {}, headers=headers)
        except TabletError as exc:
            if exc.code != "meeting":
                raise
            if self._meeting is not None:
                self.say(f"meeting {self._meeting['_id']} is over")
            if not self._waiting:
                every = "" if self._interval is None else f"; polling every {self._interval:g} s"
                self.say(f"no meeting for this tablet yet{every}")
            self._meeting, self._etag, self._waiting = None, None, True
            return None
        self._waiting = False
        if status == 200:
            if self._meeting is None or self._meeting["_id"] != meeting["_id"]:
                self.say(f"meeting {meeting['_id']} ready: {meeting['uri']} "
                         f"({len(meeting['devices'])} tablet(s), state {meeting['state']})")
            self._meeting = meeting
        if self._meeting is not None:  # None only when a 304 answers before any 200
            self._run_commands(self._meeting["_id"])
        return self._meeting

    def run(self, *, interval: float, rounds: int | None = None) -> None:
        self._interval = interval
        done = 0
        while rounds is None or done < rounds:
            self.poll_once()
            done += 1
            if rounds is None or done < rounds:
                time.sleep(interval)

    def _run_commands(self, meeting_id: str) -> None:
        _, answer = self._call(f"{MEETING_PATH}/{meeting_id}/commands", {})
        if answer["commands"] and self.rng.random() < self.drop_answers:
            return  # lost on the way: the claims expire and the commands come again
        for command in answer["commands"]:
            detail = {k: command[k] for k in ("value", "volume", "quality")
                      if command[k] is not None}
            ok = command["type"] not in self.fail_types
            self.say(f"{'executing' if ok else 'failing'} {command['type']} {detail or ''}"
                     .rstrip())
            self.executed.append(command)
            body: dict[str, Any] = {"success": ok}
            if not ok:
                body["error"] = "simulated failure"
            path = f"{MEETING_PATH}/{meeting_id}/commands/{command['_id']}/executed"
            self._unacked.append((path, body))
            self._send_owed_acks()
        if answer["commands"]:
            self._etag = None  # our acknowledgements changed the meeting

    def _send_owed_acks(self) -> None:
        """Send the acknowledgements not answered yet; those that get no answer or a 5xx stay
        owed. A refusal (the command was canceled meanwhile, say) is an answer: dropped."""
        while self._unacked:
            path, body = self._unacked[0]
            for _ in range(2 if self.rng.random() < self.repeat_acks else 1):
                try:
                    self._call(path, body)
                except TabletError as exc:
                    if exc.status >= 500:
                        raise
                    self.say(f"acknowledgement refused: {exc}")
            self._unacked.pop(0)

    def _call(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None
              ) -> tuple[int, Any]:
        payload = {**body, "token": self.token} if self.token else body
        answer: Answer = self.transport("POST", self.base_url.rstrip("/") + path, payload,
                                        headers or {})
        if answer.status >= 400:
            raise TabletError(answer.status, answer.body)
        if answer.status == 200 and path.endswith("/device"):
            self._etag = answer.headers.get("ETag")
        return answer.status, answer.body
