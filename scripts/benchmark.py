"""Benchmark the tablets' hot path: getmeeting (plain and 304) and getcommands.

    make benchmark                      # on private PostgreSQL (scripts/with-services.sh)
    .venv/bin/python scripts/benchmark.py --devices 20 --commands 200 --requests 2000
    make benchmark ARGS="--usage"       # the usage report instead (see usage_data.py)

It creates a throwaway test database (never touches real data), fills one meeting with
--devices tablets and --commands commands, then sends --requests calls per endpoint from
--threads threads through Django's full request stack (middleware, authentication,
serialisation; no network) and reports throughput, latency percentiles and SQL queries per
call. Figures, not pass/fail: compare them between changes on the same machine.

With --usage it instead fills --customers customers with --per-day meetings a day for --days
days (bulk SQL, PostgreSQL only) and times `GET /flexcare/reports/usage` over the whole range
for a reseller who sees them all, per granularity, JSON and CSV, after rolling the days up
(reports.rollup; the last day has a meeting still running, so it is counted live): wall time,
and the CPU time of the web process and its database backend together, which is what the
request costs on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection, connections, reset_queries  # noqa: E402
from django.http import HttpResponseBase  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

PATH = "/iptv/flexcareconference/meeting"


def build_world(devices: int, commands: int) -> tuple[str, str]:
    from accounts.models import Feature
    from accounts.services import customer_create
    from conferences.lifecycle import meeting_mark_provisioned
    from conferences.providers import fake_booking
    from conferences.services import command_queue, meeting_create
    from devices.services import device_create, device_token_issue

    customer = customer_create(name="Benchmark Hospital", features=[Feature.FLEXCARE])
    tablets = [device_create(customer=customer, name=f"Bed {n}", serial=f"BENCH{n:05d}",
                             device_id=f"{900000 + n}") for n in range(devices)]
    meeting = meeting_create(customer=customer, devices=tablets, employee=None)
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    for n in range(commands):
        command_queue(meeting=meeting, device=tablets[n % devices], type="SET_VOLUME",
                      volume=n % 101)
    return device_token_issue(device=tablets[0]), meeting.pk


def measure(name: str, call: Callable[[Client], HttpResponseBase], requests: int,
            threads: int) -> None:
    timings: list[float] = []
    lock = threading.Lock()
    per_thread = requests // threads

    def worker() -> None:
        client = Client()
        mine = []
        for _ in range(per_thread):
            start = time.perf_counter()
            status = call(client).status_code
            mine.append(time.perf_counter() - start)
            if status not in (200, 304):
                raise SystemExit(f"{name}: HTTP {status}")
        with lock:
            timings.extend(mine)
        connections.close_all()

    with CaptureQueriesContext(connection) as queries:
        call(Client())
    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    ms = sorted(t * 1000 for t in timings)
    print(f"{name:<22} {len(ms):>6} calls {len(ms) / elapsed:>8.0f}/s   "
          f"p50 {statistics.median(ms):6.2f} ms  p95 {ms[int(len(ms) * .95)]:6.2f} ms  "
          f"p99 {ms[int(len(ms) * .99)]:6.2f} ms  {len(queries)} queries/call")


def measure_usage(customers: int, days: int, per_day: int, repeat: int) -> None:
    from datetime import date, timedelta

    from usage_data import build_usage_world

    from accounts.models import User
    from accounts.services import user_token_issue
    from reports.rollup import usage_rollup

    first = date(2025, 1, 1)
    started = time.perf_counter()
    email = build_usage_world(customers, days, per_day, first)
    print(f"{connection.vendor}: {customers} customers x {days} days x {per_day} meetings "
          f"filled in {time.perf_counter() - started:.0f} s")
    token = user_token_issue(user=User.objects.get(email=email))
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    started = time.perf_counter()
    written = usage_rollup(max_batches=100)
    print(f"rollup of {written} customer-days (every day but the last, which has a meeting "
          f"still running) in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:  # what autovacuum does after such a bulk insert
        for table in ("reports_usageday", "reports_usagemember", "reports_usagerollup"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    query = {"from": first.isoformat(), "to": (first + timedelta(days=days - 1)).isoformat()}
    client = Client()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    for granularity in ("month", "week", "day"):
        for fmt in ("json", "csv"):
            params = {**query, "granularity": granularity, "format": fmt}
            timings, cpu = [], []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    start, start_cpu = time.perf_counter(), _cpu(backend)
                    response = client.get("/flexcare/reports/usage", params, **headers)
                    timings.append(time.perf_counter() - start)
                    cpu.append(_cpu(backend) - start_cpu)
                if response.status_code != 200:
                    raise SystemExit(
                        f"usage: HTTP {response.status_code} {response.content[:200]!r}")
            print(f"usage {granularity:<5} {fmt:<4} {len(response.content) / 1024:6.0f} KiB  "
                  f"best {min(timings) * 1000:5.0f} ms  median "
                  f"{statistics.median(timings) * 1000:5.0f} ms  CPU median "
                  f"{statistics.median(cpu) * 1000:5.0f} ms  {len(queries)} queries")


def _cpu(backend: int) -> float:
    """CPU seconds used so far by this process and by its PostgreSQL backend: what a
    request costs, whatever else the machine is busy with (wall time is not, on a shared
    machine)."""
    with open(f"/proc/{backend}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return time.process_time() + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--usage", action="store_true", help="time the usage report instead")
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--days", type=int, default=366)
    parser.add_argument("--per-day", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        if args.usage:
            measure_usage(args.customers, args.days, args.per_day, args.repeat)
            return
        token, meeting_id = build_world(args.devices, args.commands)
        body = {"token": token}
        etag = Client().post(f"{PATH}/device", body, content_type="application/json")["ETag"]
        print(f"{connection.vendor}, {args.devices} tablets, {args.commands} commands, "
              f"{args.threads} threads")
        measure("getmeeting", lambda c: c.post(f"{PATH}/device", body,
                                               content_type="application/json"),
                args.requests, args.threads)
        measure("getmeeting 304", lambda c: c.post(f"{PATH}/device", body,
                                                   content_type="application/json",
                                                   HTTP_IF_NONE_MATCH=etag),
                args.requests, args.threads)
        measure("getcommands", lambda c: c.post(f"{PATH}/{meeting_id}/commands", body,
                                                content_type="application/json"),
                args.requests, args.threads)
    finally:
        reset_queries()
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
