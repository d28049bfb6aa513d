"""Benchmark the usage report: `GET /flexcare/reports/usage` over a year of meetings.

    make benchmark-usage                              # on private PostgreSQL
    make benchmark-usage ARGS="--customers 10"

It creates a throwaway test database (never touches real data) and fills --customers
customers with --per-day meetings a day for --days days (bulk SQL, PostgreSQL only; see
usage_data.py), rolls the days up (reports.rollup; the last day has a meeting still
running, so it is counted live) and times the report over the whole range for a reseller
who sees them all, per granularity, JSON and CSV: wall time, and the CPU time of the web
process and its database backend together, which is what the request costs on a quiet
machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection, connections, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)


def measure_usage(customers: int, days: int, per_day: int, repeat: int) -> None:
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
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--days", type=int, default=366)
    parser.add_argument("--per-day", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("The usage benchmark needs PostgreSQL: run it as `make benchmark-usage`.")

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        measure_usage(args.customers, args.days, args.per_day, args.repeat)
    finally:
        reset_queries()
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
