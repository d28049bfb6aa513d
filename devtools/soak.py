"""`make soak`: the real stack under load and under faults, and whether anything was lost.

    .venv/bin/python -m devtools.soak           # about 5 minutes: 100 meetings, 5,000 commands
    .venv/bin/python -m devtools.soak --short   # at most 90 s, each fault once (CI)
    .venv/bin/python -m devtools.soak --seconds 600 --meetings 200 --commands 10000

It starts the stack of devtools.stack (PostgreSQL, Redis, the fake VDX, gunicorn with three
workers, two Celery workers, beat; all private) and drives it over HTTP: employees
(devtools.load) create meetings for their two tablets, queue commands batch by batch and end
the meetings; every tablet is simulated by devtools.simulator, two polling loops each, with 5 %
of getcommands answers lost on the way and 5 % of acknowledgements sent twice. Meanwhile, on a
schedule: a Celery pool process is killed (SIGKILL) in the middle of a task; Redis is stopped
and started again (its queue is lost with it: no persistence); PostgreSQL is restarted (fast
shutdown); a gunicorn worker is killed (SIGKILL); the fake VDX fails every call (503) and then
lets every call time out. New meetings start until the time or the count runs out; then every
meeting is ended and the run waits for the lifecycle to finish.

It prints what it saw and exits 1 unless: no command lost, none executed twice, every meeting
CLOSED within the lifecycle's bounds after its end, one VDX booking per meeting (and round),
no server error outside the PostgreSQL restart, the tablet endpoints answered every request
while Redis was down, and more (see CHECKS in the output). The portal's settings are its
defaults except the windows in SETTINGS, shortened so that a run takes minutes, not hours.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from devtools.stack import Stack, StackConfig, child_pids

# Shortened lifecycle windows (defaults in brackets), so that lost work is found again and
# meetings close within a run of minutes. Everything else is the portal's default.
SETTINGS = {
    "PROVISION_STALE_SECONDS": "30",  # [300] lost provisioning / VDX ending queued again
    "PROVISION_POLL_SECONDS": "1",  # [3]
    "MEETING_CLOSE_GRACE_SECONDS": "30",  # [120]
    # [30] a getcommands answer lost on the way is handed out again this much sooner; still
    # far above an acknowledgement's round trip, so a command is not handed out twice.
    "COMMAND_CLAIM_SECONDS": "15",
    "VDX_TIMEOUT_SECONDS": "2",  # [10] so that a VDX timing out costs seconds, not minutes
    "VDX_BACKOFF_SECONDS": "0.2",  # [0.5]
    # [6, 60 s] provisioning keeps trying through a VDX outage of a minute or two instead of
    # failing and waiting for an employee's "Retry provisioning".
    "PROVISION_MAX_ATTEMPTS": "20", "PROVISION_BACKOFF_MAX_SECONDS": "10",
}
VDX_TIMEOUT_SLEEP = 4.0  # the fake answers this late while "timing out": after our timeout
BIG = 1_000_000  # "every call from now on", for the fake VDX's counted faults
SLOW_TASKS = ("conferences.provision_meeting", "conferences.end_at_vdx")  # they call VDX


@dataclass(frozen=True)
class Preset:
    seconds: float  # new meetings start for this long
    meetings: int
    commands: int
    employees: int = 8  # each runs one meeting at a time with two tablets of its own
    faults: tuple[tuple[float, str], ...] = ()  # (seconds after the start, Faults method)
    redis_down: float = 30.0
    vdx_outage: float = 60.0  # half failing, half timing out
    close_slack: float = 60.0  # a busy machine's delay on top of the lifecycle's bound
    gap: float = 5.0  # quiet seconds at least between two faults, to tell their effects apart
    limit: float | None = None  # seconds the run may last, from the first request to the end
    # [15] how often beat runs the periodic jobs (LIFECYCLE_SWEEP_SECONDS); the run ends
    # after three of them have run since the faults.
    sweep_seconds: int = 5


DEFAULT = Preset(seconds=300, meetings=100, commands=5000, employees=10, faults=(
    (20, "kill_celery_task"), (50, "kill_celery_worker"), (90, "stop_redis"),
    (150, "restart_postgres"), (170, "kill_gunicorn_worker"), (190, "vdx_outage")))
# Each fault once, back to back (a fault starts `gap` seconds after the last one ended), and
# new meetings only while they last: what they left undone is finished within the limit.
SHORT = Preset(seconds=30, meetings=30, commands=200, employees=6, redis_down=8,
               vdx_outage=8, close_slack=30, gap=2, limit=90, sweep_seconds=2, faults=(
                   (1, "kill_celery_task"), (1, "kill_celery_worker"), (1, "stop_redis"),
                   (1, "restart_postgres"), (1, "kill_gunicorn_worker"), (1, "vdx_outage")))


@dataclass
class Fault:
    name: str
    start: float = 0.0
    end: float = 0.0
    happened: bool = False
    notes: list[str] = field(default_factory=list)
    task: dict[str, Any] = field(default_factory=dict)  # the task a kill caught under way


class Faults:
    """The schedule, run in a thread of its own; each method is one fault."""

    def __init__(self, stack: Stack, preset: Preset, t0: float, say: Any,
                 meanwhile: Callable[[], list[str]], probe: Callable[[], None]) -> None:
        self.stack, self.preset, self.t0, self.say = stack, preset, t0, say
        self.meanwhile = meanwhile  # what is tried while Redis is down
        # Starts a meeting of its own, so that the faults that need calls to VDX under way
        # have some whatever the employees are doing (on a busy machine, long command phases).
        self.probe = probe
        self.done: list[Fault] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        last = 0.0
        for at, name in self.preset.faults:
            # A quiet gap after the last fault, so that what is seen belongs to one fault.
            time.sleep(max(0.0, self.t0 + at - time.time(),
                           last + self.preset.gap - time.time()))
            fault = Fault(name, start=time.time())
            self.say(f"t+{fault.start - self.t0:4.0f} s  fault: {name.replace('_', ' ')}")
            try:
                getattr(self, name)(fault)
            except Exception as exc:  # a fault that could not be applied fails the run
                fault.notes.append(f"could not be applied: {exc!r}")
            fault.end = last = time.time()
            self.done.append(fault)
            for note in fault.notes:
                self.say(f"          {note}")

    def kill_celery_task(self, fault: Fault) -> None:
        """SIGKILL to the pool process running a task: the worker hands the task back
        (reject_on_worker_lost) and it runs again at once."""
        task, _ = self._slow_task()
        os.kill(task["worker_pid"], signal.SIGKILL)
        fault.happened = True
        fault.task = task
        fault.notes.append(f"pool process {task['worker_pid']} killed while running "
                           f"{task['name']}{tuple(task['args'])}")

    def kill_celery_worker(self, fault: Fault) -> None:
        """SIGKILL to a whole worker (its main process and its pool) running a task, as when
        its machine dies; a new worker starts, as a supervisor would start one. The task and
        those the worker held for later stay unacknowledged in Redis for an hour (its
        visibility timeout): the periodic jobs find their work first."""
        task, index = self._slow_task()
        worker = self.stack.kill_worker(index)
        fault.happened = True
        fault.task = task
        fault.notes.append(f"{worker.name} (pid {worker.pid} and its pool) killed while running "
                           f"{task['name']}{tuple(task['args'])}")
        self.stack.restart_worker(index)
        fault.notes.append(f"a new {worker.name} ready {time.time() - fault.start:.0f} s later")

    def _slow_task(self) -> tuple[dict[str, Any], int]:
        """A provisioning or VDX ending under way (VDX calls are slowed meanwhile, so that one
        is caught): its description from `celery inspect`, and its worker's index."""
        from flexcare.celery import app

        self.stack.vdx_faults(latency=1.0)
        self.probe()
        deadline = time.time() + 120
        try:
            while time.time() < deadline:
                ours = {pid for worker in self.stack.workers for pid in child_pids(worker.pid)}
                # A connection of its own each time: Redis may have been restarted meanwhile.
                with app.connection_for_write() as connection:
                    active = app.control.inspect(timeout=1, connection=connection).active()
                for name, tasks in (active or {}).items():
                    for task in tasks:
                        if task["name"] in SLOW_TASKS and task["worker_pid"] in ours:
                            return dict(task), int(name.split("@")[0].removeprefix("worker")) - 1
        finally:
            self.stack.vdx_faults(latency=0.0)
        raise RuntimeError("no provisioning or VDX ending ran within 120 s")

    def stop_redis(self, fault: Fault) -> None:
        self.stack.stop_redis()
        time.sleep(2)
        fault.notes += self.meanwhile()
        time.sleep(max(0.0, fault.start + self.preset.redis_down - time.time()))
        self.stack.start_redis()
        fault.happened = True
        fault.notes.append(f"Redis stopped for {time.time() - fault.start:.0f} s "
                           "(no persistence: its queue was lost)")

    def restart_postgres(self, fault: Fault) -> None:
        self.stack.postgres.restart("fast")
        fault.happened = True
        fault.notes.append(f"PostgreSQL down and up again in {time.time() - fault.start:.1f} s")

    def kill_gunicorn_worker(self, fault: Fault) -> None:
        before = self.stack.gunicorn_workers()
        os.kill(before[0], signal.SIGKILL)
        deadline = time.time() + 60
        while time.time() < deadline:
            new = set(self.stack.gunicorn_workers()) - set(before)
            if new:
                fault.happened = True
                fault.notes.append(f"gunicorn worker {before[0]} killed; the master started "
                                   f"{min(new)} in {time.time() - fault.start:.1f} s")
                return
            time.sleep(0.2)
        fault.notes.append(f"gunicorn worker {before[0]} killed and not replaced")

    def vdx_outage(self, fault: Fault) -> None:
        """Every VDX call fails (503) for half the outage, then every call times out for the
        other half; each half lasts longer (a minute at most) until it caught a call."""
        half = self.preset.vdx_outage / 2
        self.stack.vdx_faults(fail_next=BIG, fail_status=503)
        self.probe()
        failed = self._until_caught("fail_next", half)
        self.stack.vdx_faults(fail_next=0, timeout_next=BIG, timeout_seconds=VDX_TIMEOUT_SLEEP)
        timed_out = self._until_caught("timeout_next", half)
        self.stack.vdx_faults(timeout_next=0)
        fault.happened = bool(failed and timed_out)
        fault.notes.append(f"fake VDX answered {failed} calls with 503, then let {timed_out} "
                           f"time out (answered after {VDX_TIMEOUT_SLEEP:g} s, bookings made)")

    def _until_caught(self, counter: str, seconds: float) -> int:
        start = time.time()
        while True:
            time.sleep(1)
            caught = BIG - self.stack.vdx_state()["faults"][counter]
            waited = time.time() - start
            if waited >= seconds and (caught or waited >= seconds + 60):
                return caught


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="the CI variant: at most 90 s")
    parser.add_argument("--seconds", type=float, help="new meetings start for this long")
    parser.add_argument("--meetings", type=int, help="at most this many meetings")
    parser.add_argument("--commands", type=int, help="at most this many commands queued")
    parser.add_argument("--seed", type=int, default=1, help="of the random choices")
    parser.add_argument("--keep-logs", action="store_true",
                        help="keep the stack's log folder (always kept when the soak fails)")
    args = parser.parse_args(argv)
    preset = replace(SHORT if args.short else DEFAULT, **{
        name: value for name in ("seconds", "meetings", "commands")
        if (value := getattr(args, name)) is not None})
    settings = {**SETTINGS, "LIFECYCLE_SWEEP_SECONDS": str(preset.sweep_seconds)}
    config = StackConfig(web_instances=1, web_workers=3, celery_workers=2, concurrency=2,
                         settings=settings, vdx_args=["--provision-after-reads", "1"])
    with Stack(config, say=say, keep_logs=args.keep_logs) as stack:
        os.environ.update(stack.env)  # this process reads the stack's database at the end
        import django

        django.setup()
        ok = Soak(stack, preset, seed=args.seed).run()
        stack.keep_logs |= not ok
    return 0 if ok else 1


def say(line: str) -> None:
    print(line, flush=True)


class Soak:
    TABLETS_EACH = 2  # per employee, all in each of its meetings
    PROBES = 3  # meetings the faults start (Faults.probe): one tablet each, its own

    def __init__(self, stack: Stack, preset: Preset, *, seed: int) -> None:
        from django.conf import settings

        from devtools import load

        self.stack, self.preset, self.seed = stack, preset, seed
        # The employees' tablets, the probes' tablets, and one that logs in while Redis is down;
        # the last employee runs the probes.
        self.world = load.seed(name="Soak Hospital", employees=preset.employees + 1,
                               tablets=preset.employees * self.TABLETS_EACH + self.PROBES + 1)
        *tablets, self.spare_tablet = self.world.tablets
        self.probe_tablets = [device for device, _ in tablets[-self.PROBES:]]
        self.probe_threads: list[threading.Thread] = []
        self.recorder = load.Recorder(stack.web_urls)
        self.fleet = load.Fleet(self.recorder, tablets, pollers=2, interval=2.0,
                                drop_answers=0.05, repeat_acks=0.05, seed=seed)
        *self.employees, self.prober = [
            load.Employee(self.recorder.base_url, self.recorder.transport("employee"))
            for _ in self.world.employees]
        self.sweep_seconds = settings.LIFECYCLE_SWEEP_SECONDS
        # The lifecycle's bound: CLOSED once every HANGUP is executed, else after the grace
        # period, as beat's next run finds it; plus a busy machine's delay.
        self.close_bound = (settings.MEETING_CLOSE_GRACE_SECONDS + 2 * self.sweep_seconds
                            + preset.close_slack)
        self.lost_work_bound = settings.PROVISION_STALE_SECONDS + 2 * self.sweep_seconds + 60
        self.pace = load.Pace(
            commands_per_tablet=math.ceil(preset.commands / preset.meetings / self.TABLETS_EACH),
            batch=10, poll=2.0, closed_within=self.close_bound + 30)
        self.budget = load.Budget(meetings=preset.meetings, commands=preset.commands,
                                  seconds=preset.seconds)
        self.runs: list[load.MeetingRun] = []

    def run(self) -> bool:
        from django.db import connections

        from devtools import load
        from devtools.verdict import Facts

        self.fleet.login()
        load.log_in([*self.employees, self.prober], self.world.employees)
        p = self.preset
        say(f"load: up to {p.meetings} meetings and {p.commands} commands, new meetings for "
            f"{p.seconds:.0f} s; {len(self.employees)} employees with {self.TABLETS_EACH} "
            f"tablets each, 2 polling loops per tablet every 2 s, 5 % of getcommands answers "
            f"lost, 5 % of acknowledgements sent twice")
        t0 = time.time()
        faults = Faults(self.stack, p, t0, say, self._log_in, self._probe)
        self.fleet.start()
        faults.thread.start()
        threads = [threading.Thread(target=self._employee, args=(n,), daemon=True)
                   for n in range(len(self.employees))]
        for thread in threads:
            thread.start()
        hard_stop = t0 + p.seconds + 900  # finite even if every wait ran out
        progress = t0
        while any(t.is_alive() for t in threads) and time.time() < hard_stop:
            time.sleep(1)
            if time.time() - progress >= 30:
                progress = time.time()
                say(f"t+{time.time() - t0:4.0f} s  {len(self.runs)} meetings done, "
                    f"{p.commands - self.budget.commands} commands queued, "
                    f"{len(self.recorder.calls)} requests")
        faults.thread.join(timeout=max(0.0, hard_stop - time.time()))
        for thread in self.probe_threads:
            thread.join(timeout=max(0.0, hard_stop - time.time()))
        seconds = time.time() - t0
        sweeps_before, counted_from = self._periodic_jobs_run(), time.time()
        connections.close_all()  # PostgreSQL's restart broke this process's connection too
        load.wait_for_lifecycle(self.lost_work_bound)
        # Beat and the workers still work after every fault: over three of beat's intervals
        # (mostly spent waiting for the lifecycle above).
        time.sleep(max(0.0, counted_from + 3 * self.sweep_seconds - time.time()))
        sweeps = self._periodic_jobs_run() - sweeps_before
        self.fleet.stop()
        total = time.time() - t0
        facts = Facts(self.runs, self.fleet, self.stack.vdx_state())
        return self._report(faults.done, facts, t0=t0, seconds=seconds, sweeps=sweeps,
                            total=total)

    def _employee(self, n: int) -> None:
        from devtools import load

        rng = random.Random(f"{self.seed}-employee-{n}")  # noqa: S311  (repeatable, not secret)
        devices = [d for d, _ in self.world.tablets[n * self.TABLETS_EACH:][:self.TABLETS_EACH]]
        while self.budget.take_meeting():
            self.runs.append(load.run_meeting(self.employees[n], self.world.customer, devices,
                                              pace=self.pace, budget=self.budget, rng=rng))

    def _probe(self) -> None:
        """A meeting without commands for a probe tablet, run in a thread of its own: its
        provisioning and its ending call VDX."""
        from devtools import load

        if not self.probe_tablets:
            return
        device = self.probe_tablets.pop()
        pace = replace(self.pace, commands_per_tablet=0)
        budget = load.Budget(meetings=1, commands=0, seconds=3600)

        def run() -> None:
            self.runs.append(load.run_meeting(self.prober, self.world.customer, [device],
                                              pace=pace, budget=budget,
                                              rng=random.Random(device)))  # noqa: S311

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.probe_threads.append(thread)

    def _log_in(self) -> list[str]:
        """An employee and a tablet logging in: their throttles count in Redis."""
        from devtools.load import ApiError, Employee
        from devtools.simulator import TabletError, TabletSimulator

        employee = Employee(self.recorder.base_url, self.recorder.transport("employee"))
        tablet = TabletSimulator(self.recorder.base_url, say=lambda _: None,
                                 transport=self.recorder.transport("tablet"))
        outcomes = []
        for who, log_in in [("an employee", lambda: employee.login(self.world.employees[0])),
                            ("a tablet", lambda: tablet.login(serial=self.spare_tablet[1]))]:
            try:
                log_in()
                outcomes.append(f"{who} logged in meanwhile")
            except (ApiError, TabletError, OSError) as exc:
                outcomes.append(f"{who} could not log in meanwhile: {exc}")
        return outcomes

    def _periodic_jobs_run(self) -> int:
        return sum(tasks["conferences.sweep"] for tasks in self.stack.tasks_run().values())

    def _report(self, faults: list[Fault], facts: Any, *, t0: float, seconds: float,
                sweeps: int, total: float) -> bool:
        from devtools import verdict

        calls = self.recorder.calls
        say("")
        say(f"=== soak: {len(self.runs)} meetings, "
            f"{sum(len(r.commands) for r in self.runs)} commands queued by employees, "
            f"{len(calls)} requests in {seconds:.0f} s; every meeting closed and the run over "
            f"{total:.0f} s after its start")
        for kind, statuses in sorted(facts.statuses().items()):
            say(f"  {kind:<14} " + ", ".join(f"{n} {s}" for s, n in statuses.most_common()))
        say(f"a meeting's phases (median): {verdict.phases(self.runs)}")
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        say(f"requests (this driver used {cpu.ru_utime + cpu.ru_stime:.0f} s of CPU):")
        for line in verdict.request_table(calls, seconds):
            say(line)
        if self.fleet.errors:
            say("tablets' failed polls: " + ", ".join(
                f"{n} x {e}" for e, n in self.fleet.errors.most_common()))
        problems = [f"{r.id or '(not created)'}: {p}" for r in self.runs for p in r.problems]
        if problems:
            say(f"employees' waits that ran out ({len(problems)}): " + "; ".join(problems[:5]))
        say("faults:")
        for fault in faults:
            inside = self.recorder.between(fault.start, fault.end)
            tablet = verdict.tablet_calls(inside)
            answered = [c for c in tablet if c.status is not None and c.status < 500]
            say(f"  t+{fault.start - t0:4.0f} s  {fault.name.replace('_', ' ')} "
                f"({fault.end - fault.start:.0f} s): tablet requests {len(answered)}/"
                f"{len(tablet)} answered; all requests: 5xx {len(verdict.server_errors(inside))},"
                f" no answer {len(verdict.unanswered(inside))}")
            for note in fault.notes + self._aftermath(fault, facts):
                say(f"           {note}")
        for at, name, why in self.stack.exits:
            say(f"  t+{at - t0:4.0f} s  {name} exited by itself ({why}); the supervisor "
                "started it again")
        say("checks:")
        ok = verdict.print_checks(self._checks(faults, facts, sweeps, total), say)
        say(f"=== soak {'PASSED' if ok else 'FAILED'}")
        return ok

    def _aftermath(self, fault: Fault, facts: Any) -> list[str]:
        """What became of the fault's victims, from the database and the logs."""
        logs = "".join(p.log.read_text(errors="replace")
                       for p in [*self.stack.web, *self.stack.workers])
        if fault.task:
            meeting = facts.meetings.get(fault.task["args"][0])
            done = meeting and (meeting.provisioned_at if fault.task["name"] == SLOW_TASKS[0]
                                else meeting.vdx_ended_at)
            if not done:
                return ["its work was never done"]
            return [f"its work was done {done.timestamp() - fault.start:.0f} s after the kill; "
                    f"VDX bookings for that meeting: {facts.booked[meeting.pk]}"]
        if fault.name == "stop_redis":
            return [f"{logs.count('could not queue')} tasks could not be queued meanwhile; "
                    "their work was left to the periodic jobs"]
        if fault.name == "restart_postgres":
            return [f"{logs.count('raised unexpected: OperationalError')} tasks failed on the "
                    "database (in the whole run); the periodic jobs redo their work"]
        if fault.name == "vdx_outage":
            waited = [m.provisioned_at.timestamp() - m.created_at.timestamp()
                      for m in facts.meetings.values() if m.provisioned_at
                      and fault.start <= m.created_at.timestamp() <= fault.end]
            if waited:
                return [f"{len(waited)} meetings created meanwhile waited up to "
                        f"{max(waited):.0f} s for their room"]
        return []

    def _checks(self, faults: list[Fault], facts: Any, sweeps: int, total: float
                ) -> list[Any]:
        from devtools import verdict

        calls = self.recorder.calls
        windows = {f.name: (f.start, f.end) for f in faults}

        def outside(*names: str) -> list[Any]:
            spans = [windows[n] for n in names if n in windows]
            return [c for c in calls if not any(c.end >= a and c.start <= b for a, b in spans)]

        def inside(name: str) -> list[Any]:
            return self.recorder.between(*windows[name]) if name in windows else []

        pg = set(inside("restart_postgres"))
        redis = [c for c in verdict.tablet_calls(inside("stop_redis")) if c not in pg]
        redis_ok = [c for c in redis if c.status is not None and c.status < 500]
        share = f"{len(redis_ok)}/{len(redis)}" + (
            f" ({100 * len(redis_ok) / len(redis):.0f} %)" if redis else "")
        closed = facts.not_closed() + facts.closed_late(self.close_bound) + [
            f"{pk} created, unknown to its employee" for pk in facts.unknown_meetings()]
        checks = [
            verdict.count("commands lost", facts.lost_commands()),
            verdict.Check("HANGUPs canceled as the grace period closed their meeting (shown, "
                          "allowed)", len(facts.hangups_closed_by_grace()), True),
            verdict.count("commands executed twice", facts.executed_twice()),
            verdict.count(f"meetings not CLOSED within {self.close_bound:.0f} s of their end",
                          closed),
            verdict.count("VDX bookings per meeting not exactly 1", facts.bookings_not_one()),
            verdict.count("server errors outside the PostgreSQL restart",
                          verdict.server_errors(outside("restart_postgres")),
                          verdict.describe_calls),
            verdict.Check("server errors during the PostgreSQL restart (shown, allowed)",
                          len(verdict.server_errors(inside("restart_postgres"))), True),
            verdict.Check("tablet requests answered while Redis was down", share,
                          bool(redis) and len(redis_ok) == len(redis)),
            verdict.count("requests without an answer, but for the restart and the kill",
                          verdict.unanswered(outside("restart_postgres", "kill_gunicorn_worker")),
                          verdict.describe_calls),
            verdict.count("meetings a tablet joined that never became STARTED",
                          facts.started_unmarked()),
            verdict.count("START_MEETING per tablet and meeting not exactly 1",
                          facts.system_commands_not_once("START_MEETING")),
            verdict.count("HANGUP per tablet and ended meeting not exactly 1",
                          facts.system_commands_not_once("HANGUP")),
            verdict.count("rooms of CLOSED meetings not ended at VDX", facts.rooms_not_ended()),
            verdict.count("meetings whose provisioning FAILED", facts.provisioning_failed()),
            verdict.Check("periodic jobs run after the faults, over 3 intervals", sweeps,
                          sweeps > 0),
            verdict.Check("Celery workers that exited by themselves, started again by the "
                          "supervisor (shown, allowed)", len(self.stack.exits), True),
            verdict.count("faults not applied", [f.name for f in faults if not f.happened]
                          + [n for _, n in self.preset.faults if n not in windows]),
        ]
        if self.preset.limit:
            checks.append(verdict.Check(f"the run over within {self.preset.limit:.0f} s",
                                        f"{total:.0f} s", total <= self.preset.limit))
        return checks


if __name__ == "__main__":
    sys.exit(main())
