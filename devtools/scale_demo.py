"""`make scale-demo`: two web servers and two workers sharing the load of 200 tablets.

    .venv/bin/python -m devtools.scale_demo                       # 200 tablets, 50 meetings
    .venv/bin/python -m devtools.scale_demo --tablets 40 --meetings 10

It starts the stack of devtools.stack with two gunicorn instances on two ports, two Celery
workers and one beat against one PostgreSQL and one Redis (all private; the portal's default
settings), and runs every meeting at once over the employee API: created for four tablets each,
booked on the fake VDX server, joined (START_MEETING), commands queued and executed, ended and
closed. The tablets are devtools.simulator's, each polling every few seconds; every request,
the employees' and the tablets', goes to the two web instances in turn.

It prints what each instance served and exits 1 unless: every meeting CLOSED, every command
delivered and executed once, one VDX booking per meeting, one START_MEETING (and one HANGUP) per
tablet, no task run twice with a visible effect, no 5xx and no request left without an answer.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import threading
import time
from collections import Counter
from typing import Any

from devtools.stack import Stack, StackConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.scale_demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tablets", type=int, default=200)
    parser.add_argument("--meetings", type=int, default=50, help="tablets split among them")
    parser.add_argument("--commands", type=int, default=5, help="per tablet")
    parser.add_argument("--interval", type=float, default=10.0,
                        help="seconds between a tablet's polls")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-logs", action="store_true",
                        help="keep the stack's log folder (always kept when the demo fails)")
    args = parser.parse_args(argv)
    if not 0 < args.meetings <= args.tablets:
        parser.error("--meetings must be between 1 and --tablets")
    config = StackConfig(web_instances=2, web_workers=2, celery_workers=2, concurrency=2)
    with Stack(config, say=say, keep_logs=args.keep_logs) as stack:
        os.environ.update(stack.env)  # this process reads the stack's database at the end
        import django

        django.setup()
        ok = run(stack, args)
        stack.keep_logs |= not ok
    return 0 if ok else 1


def say(line: str) -> None:
    print(line, flush=True)


def run(stack: Stack, args: argparse.Namespace) -> bool:
    from devtools import load, verdict

    employees_n = max(1, args.meetings // 5)
    world = load.seed(name="Scale Hospital", employees=employees_n, tablets=args.tablets)
    recorder = load.Recorder(stack.web_urls)
    fleet = load.Fleet(recorder, world.tablets, interval=args.interval, seed=args.seed)
    employees = [load.Employee(recorder.base_url, recorder.transport("employee"))
                 for _ in world.employees]
    fleet.login()
    load.log_in(employees, world.employees)
    devices = [device for device, _ in world.tablets]
    groups = list(load.spread(devices, args.meetings))
    pace = load.Pace(commands_per_tablet=args.commands, batch=args.commands,
                     poll=args.interval)
    budget = load.Budget(meetings=len(groups), commands=args.commands * len(devices),
                         seconds=3600)
    say(f"load: {len(groups)} meetings of {len(groups[0])} tablets at once, "
        f"{args.commands} commands per tablet, {len(devices)} tablets polling every "
        f"{args.interval:g} s, {len(employees)} employees; requests alternate between "
        f"{' and '.join(stack.web_urls)}")
    runs: list[load.MeetingRun] = []

    def meeting(n: int, group: list[str]) -> None:
        rng = random.Random(f"{args.seed}-{n}")  # noqa: S311  (repeatable, not secret)
        if budget.take_meeting():
            runs.append(load.run_meeting(employees[n % len(employees)], world.customer, group,
                                         pace=pace, budget=budget, rng=rng))

    t0 = time.time()
    fleet.start()
    threads = [threading.Thread(target=meeting, args=(n, group), daemon=True)
               for n, group in enumerate(groups)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, t0 + 1800 - time.time()))
    seconds = time.time() - t0
    load.wait_for_lifecycle(120)  # the last rooms being ended at VDX
    fleet.stop()
    facts = verdict.Facts(runs, fleet, stack.vdx_state())
    return report(recorder, facts, runs, stack.tasks_run(), seconds=seconds,
                  exits=stack.exits)


def report(recorder: Any, facts: Any, runs: list[Any], tasks: dict[str, Counter[str]], *,
           seconds: float, exits: list[Any]) -> bool:
    from devtools import verdict

    calls = recorder.calls
    say("")
    say(f"=== scale demo: {len(runs)} meetings, {len(facts.commands)} commands, "
        f"{len(calls)} requests in {seconds:.0f} s ({len(calls) / seconds:.0f}/s)")
    for kind, statuses in sorted(facts.statuses().items()):
        say(f"  {kind:<14} " + ", ".join(f"{n} {s}" for s, n in statuses.most_common()))
    say(f"a meeting's phases (median): {verdict.phases(runs)}")
    served = Counter(c.instance for c in calls if c.status is not None)
    for instance, url in enumerate(recorder.base_urls):
        say(f"  web instance {instance + 1} ({url}) answered {served[instance]} requests")
    # The meetings' own tasks (provisioning, ending at VDX, ...), beat's periodic jobs apart.
    meeting_tasks = {}
    for worker, counts in tasks.items():
        meeting_tasks[worker] = counts.total() - counts["conferences.sweep"]
        say(f"  Celery {worker} ran {meeting_tasks[worker]} tasks of the meetings ("
            + ", ".join(f"{n} {name}" for name, n in counts.most_common()
                        if name != "conferences.sweep")
            + f") and {counts['conferences.sweep']} periodic jobs")
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    say(f"requests (this driver used {cpu.ru_utime + cpu.ru_stime:.0f} s of CPU):")
    for line in verdict.request_table(calls, seconds):
        say(line)
    problems = [f"{r.id or '(not created)'}: {p}" for r in runs for p in r.problems]
    if problems:
        say(f"employees' waits that ran out ({len(problems)}): " + "; ".join(problems[:5]))
    not_executed = [f"{c['type']} {i} {c['status']}" for i, c in facts.commands.items()
                    if c["status"] != "EXECUTED" or facts.executions[i] != 1]
    checks = [
        verdict.count("meetings not CLOSED", facts.not_closed() + [
            f"{pk} created, unknown to its employee" for pk in facts.unknown_meetings()]),
        verdict.count("commands not delivered and executed exactly once",
                      not_executed + facts.lost_commands()),
        verdict.count("VDX bookings per meeting not exactly 1", facts.bookings_not_one()),
        verdict.count("START_MEETING per tablet not exactly 1",
                      facts.system_commands_not_once("START_MEETING")),
        verdict.count("HANGUP per tablet not exactly 1",
                      facts.system_commands_not_once("HANGUP")),
        verdict.count("rooms of CLOSED meetings not ended at VDX", facts.rooms_not_ended()),
        verdict.count("server errors (5xx)", verdict.server_errors(calls),
                      verdict.describe_calls),
        verdict.count("requests without an answer", verdict.unanswered(calls),
                      verdict.describe_calls),
        verdict.count("Celery workers that exited by themselves", exits),
        verdict.Check("both web instances served", f"{served[0]} / {served[1]}",
                      served[0] > 0 and served[1] > 0),
        verdict.Check("both Celery workers ran tasks of the meetings",
                      " / ".join(str(n) for n in meeting_tasks.values()),
                      len(meeting_tasks) == 2 and all(meeting_tasks.values())),
    ]
    say("checks:")
    ok = verdict.print_checks(checks, say)
    say(f"=== scale demo {'PASSED' if ok else 'FAILED'}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
