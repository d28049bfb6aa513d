"""Driving a running stack (devtools.stack) over HTTP, for the soak and the scale demo: employees
running meetings through the employee API, tablets (devtools.simulator) polling them, and a
record of every request. Import it after Django is set up against the stack's database: `seed`
creates the customer, its managers and its tablets with the services."""

from __future__ import annotations

import functools
import itertools
import math
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from devtools.httpjson import Answer, Transport, request_json
from devtools.simulator import MEETING_PATH, TabletError, TabletSimulator

PASSWORD = "soak-password-not-secret"  # noqa: S105  (throwaway users in a throwaway database)
TABLET_ENDPOINTS = ("tablet login", "getmeeting", "getcommands", "acknowledge")
_ENDPOINTS = [(method, re.compile(pattern), name) for method, pattern, name in [
    ("POST", r"/iptv/app/login/", "tablet login"),
    ("POST", rf"{MEETING_PATH}/device$", "getmeeting"),
    ("POST", rf"{MEETING_PATH}/[^/]+/commands$", "getcommands"),
    ("POST", r"/executed$", "acknowledge"),
    ("POST", r"/auth/login$", "employee login"),
    ("POST", rf"{MEETING_PATH}$", "create meeting"),
    ("POST", r"/createcommand$", "queue command"),
    ("POST", r"/close$", "end meeting"),
    ("GET", r"/devices/[^/]+$", "tablet state"),
    ("GET", r"/flexcare/videochat/meetings", "list meetings"),
]]


def endpoint_of(method: str, url: str) -> str:
    path = url.split("?", 1)[0]
    return next((name for m, regex, name in _ENDPOINTS if m == method and regex.search(path)),
                f"{method} {path}")


@dataclass(frozen=True)
class Call:
    start: float  # time.time(), as the faults' windows
    end: float
    role: str  # "tablet" or "employee"
    endpoint: str
    instance: int  # which web instance answered (index into the base URLs)
    status: int | None  # None: no answer at all (refused, cut off, timed out)
    error: str = ""


class Recorder:
    """Every request of the run, with its outcome. Its transports send each request to the next
    web instance in turn, like a round-robin load balancer: clients are built with `base_url`
    (the first instance) and the transport swaps in the instance whose turn it is."""

    def __init__(self, base_urls: list[str]) -> None:
        self.base_urls = base_urls
        self.calls: list[Call] = []  # list.append is atomic: no lock needed
        self._turn = itertools.count()

    @property
    def base_url(self) -> str:
        return self.base_urls[0]

    def transport(self, role: str) -> Transport:
        def send(method: str, url: str, body: Any, headers: dict[str, str]) -> Answer:
            instance = next(self._turn) % len(self.base_urls)
            url = self.base_urls[instance] + url.removeprefix(self.base_url)
            endpoint, start = endpoint_of(method, url), time.time()
            try:
                answer = request_json(method, url, body, headers)
            except OSError as exc:
                self.calls.append(Call(start, time.time(), role, endpoint, instance, None,
                                       f"{type(exc).__name__}: {exc}"))
                raise
            self.calls.append(Call(start, time.time(), role, endpoint, instance, answer.status))
            return answer

        return send

    def between(self, start: float, end: float) -> list[Call]:
        """Requests that were under way at some moment of [start, end]."""
        return [c for c in self.calls if c.end >= start and c.start <= end]


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        self.status, self.code = status, error.get("code")
        super().__init__(f"{status} {self.code}: {error.get('message', body)}")


@dataclass
class Employee:
    """A MANAGER using the employee API."""

    base_url: str
    transport: Transport
    token: str = ""

    def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        answer = self.transport(method, self.base_url + path, body, headers)
        if answer.status >= 400:
            raise ApiError(answer.status, answer.body)
        return answer.body

    def login(self, email: str) -> None:
        self.token = self.call("POST", "/auth/login", {
            "username": email, "password": PASSWORD, "persist": True})["token"]

    def open_meeting_with(self, customer: str, devices: list[str]) -> str | None:
        """The open meeting of these tablets, found in today's list: for a create request whose
        answer was lost (it may or may not have created the meeting)."""
        meetings = self.call("GET", f"/flexcare/videochat/meetings?customer={customer}&limit=500")
        for meeting in meetings["meetings"]:
            if meeting["state"] != "CLOSED" and {d["_id"] for d in meeting["devices"]} == set(
                    devices):
                return meeting["_id"]
        return None


def log_in(employees: list[Employee], emails: list[str]) -> None:
    """Each employee logs in as its e-mail, several at once: a login checks the password
    hash (half a second of the server's CPU, by design), and the server has cores to spare."""
    at_once(lambda pair: pair[0].login(pair[1]), list(zip(employees, emails, strict=True)))


def at_once(call: Callable[[Any], object], items: list[Any], threads: int = 4) -> None:
    """call(item) for every item, `threads` at a time; the first error is raised."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(call, items))


@dataclass
class World:
    customer: str
    employees: list[str]  # e-mails
    tablets: list[tuple[str, str]]  # (device id, serial)


def seed(*, name: str, employees: int, tablets: int) -> World:
    """A FlexCare customer with MANAGER employees and tablets open for login."""
    from django.contrib.auth.hashers import make_password

    from accounts.access import AccessLevel
    from accounts.models import Feature, User
    from accounts.services import customer_create, user_create
    from devices.services import device_create

    customer = customer_create(name=name, features=[Feature.FLEXCARE])
    emails = [f"manager{n}@soak.example" for n in range(employees)]
    for email in emails:
        user_create(email=email, password=None, access_level=AccessLevel.MANAGER,
                    customer=customer)
    # One hash for them all: the password hasher costs half a second a user on a 2-core
    # machine, by design, and these throwaway users share one password anyway.
    User.objects.filter(email__in=emails).update(password=make_password(PASSWORD))
    devices = [device_create(customer=customer, name=f"Bed {n}", serial=f"SOAK{n:05d}",
                             device_id=f"{700000 + n}") for n in range(tablets)]
    return World(customer.pk, emails, [(d.pk, d.serial) for d in devices])


class Fleet:
    """Simulated tablets, `pollers` polling loops each (sharing one login, like an app whose
    polls overlap), every loop in a thread of its own until `stop()`."""

    def __init__(self, recorder: Recorder, tablets: list[tuple[str, str]], *, pollers: int = 1,
                 interval: float = 1.0, drop_answers: float = 0.0, repeat_acks: float = 0.0,
                 seed: int = 0) -> None:
        self.interval = interval
        self.errors: Counter[str] = Counter()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.simulators: dict[str, list[TabletSimulator]] = {
            device: [TabletSimulator(recorder.base_url, say=lambda _: None,
                                     transport=recorder.transport("tablet"),
                                     drop_answers=drop_answers, repeat_acks=repeat_acks,
                                     # Repeatable runs, not secrets.
                                     rng=random.Random(f"{seed}-{device}-{n}"))  # noqa: S311
                     for n in range(pollers)]
            for device, _ in tablets
        }
        self.serials = dict(tablets)

    def login(self) -> None:
        def log_in_tablet(device: str) -> None:
            first, *others = self.simulators[device]
            first.login(serial=self.serials[device])
            for other in others:
                other.token = first.token

        at_once(log_in_tablet, list(self.simulators))

    def start(self) -> None:
        for simulators in self.simulators.values():
            for simulator in simulators:
                thread = threading.Thread(target=self._poll, args=(simulator,), daemon=True)
                thread.start()
                self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def executions(self) -> Counter[str]:
        """How often each command was executed, over every tablet and loop."""
        return Counter(command["_id"] for simulators in self.simulators.values()
                       for simulator in simulators for command in simulator.executed)

    def _poll(self, simulator: TabletSimulator) -> None:
        self._stop.wait(simulator.rng.uniform(0, self.interval))  # spread the loops out
        while not self._stop.is_set():
            try:
                simulator.poll_once()
            except TabletError as exc:  # e.g. 404 meeting: it closed between two calls
                self.errors[f"{exc.status} {exc.code}"] += 1
            except OSError as exc:
                self.errors[type(exc).__name__] += 1
            self._stop.wait(self.interval * simulator.rng.uniform(0.8, 1.2))


class Budget:
    """Meetings and commands still to be run, and until when new ones may start."""

    def __init__(self, *, meetings: int, commands: int, seconds: float) -> None:
        self.meetings, self.commands = meetings, commands
        self.deadline = time.time() + seconds
        self._lock = threading.Lock()

    def take_meeting(self) -> bool:
        with self._lock:
            if self.meetings <= 0 or time.time() >= self.deadline:
                return False
            self.meetings -= 1
            return True

    def take_commands(self, wanted: int) -> int:
        with self._lock:
            if time.time() >= self.deadline:
                return 0
            granted = min(wanted, self.commands)
            self.commands -= granted
            return granted


@dataclass(frozen=True)
class Pace:
    """How a meeting is run, and how long each wait may last before the employee moves on
    (generous: on a busy machine everything is slower, and a wait that runs out is reported)."""

    commands_per_tablet: int
    batch: int = 5  # commands per tablet queued at once; the next batch once all are executed
    poll: float = 1.0  # between the employee's looks at the meeting
    provisioned_within: float = 180.0
    started_within: float = 120.0
    executed_within: float = 120.0
    closed_within: float = 180.0


@dataclass
class MeetingRun:
    """One meeting as its employee saw it."""

    devices: list[str]
    id: str = ""
    created: float = 0.0
    provisioned: float | None = None
    started: float | None = None
    end_requested: float | None = None
    closed: float | None = None
    commands: list[str] = field(default_factory=list)  # ids the API answered with
    unanswered: Counter[str] = field(default_factory=Counter)  # requests without an answer
    problems: list[str] = field(default_factory=list)


def command_body(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(["CAMERA_ON", "MICROPHONE_ON", "SET_VOLUME", "SET_QUALITY"])
    fields: dict[str, dict[str, Any]] = {
        "CAMERA_ON": {"value": rng.random() < 0.5}, "MICROPHONE_ON": {"value": rng.random() < 0.5},
        "SET_VOLUME": {"volume": rng.randint(0, 100)},
        "SET_QUALITY": {"quality": rng.choice(["LOW", "MEDIUM", "HIGH", "VERY_HIGH"])},
    }
    return {"type": kind, **fields[kind]}


def run_meeting(employee: Employee, customer: str, devices: list[str], *, pace: Pace,
                budget: Budget, rng: random.Random) -> MeetingRun:
    """What an employee does: create the meeting, wait for its room and for the tablets to
    join, queue commands batch by batch (each once the last is executed), end it, and wait for
    it to close. Requests that get no answer or a 5xx are repeated where that is safe (reads,
    ending) and otherwise looked up (a created meeting) or left (a queued command: the
    tablet's own list shows whether it arrived)."""
    run = MeetingRun(devices=devices, created=time.time())
    if not _create(employee, customer, run):
        return run
    ok = _wait(employee, run, pace, pace.provisioned_within, "provisioned", lambda states: all(
        any(c["type"] == "START_MEETING" for c in s["commands"]) for s in states))
    run.provisioned = time.time() if ok else None
    ok = ok and _wait(employee, run, pace, pace.started_within, "started", lambda states: all(
        s["state"] == "STARTED" and all(c["executed"] for c in s["commands"]) for s in states))
    run.started = time.time() if ok else None
    left = pace.commands_per_tablet * len(devices)
    while ok and left > 0:
        granted = budget.take_commands(min(left, pace.batch * len(devices)))
        if not granted:
            break
        left -= granted
        for n in range(granted):
            _queue(employee, run, devices[n % len(devices)], command_body(rng))
        ok = _wait(employee, run, pace, pace.executed_within, "commands executed",
                   lambda states: all(c["executed"] for s in states for c in s["commands"]))
    run.end_requested = time.time()
    end = f"{MEETING_PATH}/{run.id}/close"
    while _attempt(run, "end", lambda: employee.call("POST", end)) is NO_ANSWER:
        if time.time() - run.end_requested > pace.closed_within:
            run.problems.append("end: no answer")
            return run
        time.sleep(pace.poll)
    if _wait(employee, run, pace, pace.closed_within, "closed",
             lambda states: all(s["state"] == "CLOSED" for s in states)):
        run.closed = time.time()
    return run


NO_ANSWER = object()


def _attempt(run: MeetingRun, what: str, call: Callable[[], Any]) -> Any:
    """The call's answer, or NO_ANSWER when it got none or a 5xx (counted in the run)."""
    try:
        return call()
    except ApiError as exc:
        if exc.status < 500:
            raise
        run.unanswered[f"{what}: {exc.status}"] += 1
    except OSError as exc:
        run.unanswered[f"{what}: {type(exc).__name__}"] += 1
    return NO_ANSWER


def _create(employee: Employee, customer: str, run: MeetingRun) -> bool:
    body = {"customer": customer, "devices": [{"_id": d} for d in run.devices]}
    for _ in range(10):
        answer = _attempt(run, "create", lambda: employee.call("POST", MEETING_PATH, body))
        if answer is not NO_ANSWER:
            run.id = answer["_id"]
            return True
        time.sleep(1)
        found = _attempt(run, "list", lambda: employee.open_meeting_with(customer, run.devices))
        if found is not NO_ANSWER and found is not None:
            run.id = found
            return True
    run.problems.append("create: no answer")
    return False


def _queue(employee: Employee, run: MeetingRun, device: str, command: dict[str, Any]) -> None:
    path = f"{MEETING_PATH}/{run.id}/createcommand"
    try:
        answer = _attempt(run, "queue", lambda: employee.call(
            "POST", path, {"deviceId": device, "command": command}))
    except ApiError as exc:
        run.problems.append(f"queue: {exc}")
        return
    if answer is not NO_ANSWER:
        run.commands.append(answer["_id"])


def _wait(employee: Employee, run: MeetingRun, pace: Pace, timeout: float, what: str,
          done: Callable[[list[dict[str, Any]]], bool]) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        states = [_attempt(run, "look", functools.partial(
            employee.call, "GET", f"{MEETING_PATH}/{run.id}/devices/{d}")) for d in run.devices]
        if NO_ANSWER not in states and done(states):
            return True
        time.sleep(pace.poll)
    run.problems.append(f"not {what} within {timeout:.0f} s")
    return False


def wait_for_lifecycle(seconds: float) -> None:
    """Until every meeting is CLOSED and every closed meeting's room is ended at VDX, for at
    most `seconds` (work whose task was lost waits for beat's jobs)."""
    from conferences.models import Conference

    deadline = time.time() + seconds
    while time.time() < deadline and (
            Conference.objects.exclude(state="CLOSED").exists()
            or Conference.objects.filter(vdx_ended_at__isnull=True).exclude(vdx_booking_id="")
            .exists()):
        time.sleep(2)


def spread(items: list[Any], parts: int) -> Iterator[list[Any]]:
    """`items` cut into `parts` runs of (nearly) equal length."""
    size = math.ceil(len(items) / parts)
    for start in range(0, len(items), size):
        yield items[start:start + size]
