"""Benchmark what a tablet sees: its calls over HTTP to a real server, beside the floor.

    make benchmark                                     # 20 tablets, 200 commands
    make benchmark ARGS="--tablets 2 --commands 10"
    make benchmark ARGS="--background"                 # in a database ten times fuller

On a throwaway test database of the private PostgreSQL (`make benchmark` runs this through
scripts/with-services.sh; it never touches the database DATABASE_URL names) it builds one
ready meeting with --tablets tablets and --commands commands (all executed, as in a meeting
under way), and a second tablet in a meeting of its own with a supply of fetched commands to
acknowledge. It then starts gunicorn with the project's gunicorn.conf.py (--workers sync
workers; the access log off, for the floor as for the rest) on the benchmark's own URLs
(benchmark_urls.py: the production URLs plus the floor, a DRF view that does nothing), and
drives each call with wrk (installed from Debian's packages when missing) for --duration
seconds, --rounds times in turn:

* floor            POST to the do-nothing DRF view (no authentication, the same middleware)
* getmeeting       the tablet's meeting document (200)
* getmeeting 304   the same with the ETag it was given (If-None-Match)
* getcommands      nothing to claim
* acknowledge      a fetched command acknowledged, a different one each call

It prints requests per second, p50 and p99 latency and the SQL queries of one call (counted
in-process, on the same database), each rate also as a ratio to the floor's in the same
round: the medians over the rounds, and the spread. Absolute figures depend on the machine
and whatever else runs on it; ratios measured side by side are what to compare. The last
lines are a markdown table ready for the README.

--background first fills the database with ten times a region's history by bulk SQL:
100,000 meetings (all but a few hundred closed), a million commands, 10,000 tablets and
100,000 tablet tokens (see usage_data.py), so that any figure that depends on the size of
the tables shows it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmark_settings"

import django  # noqa: E402

django.setup()

from benchmark_urls import FLOOR_PATH  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

MEETING = "/iptv/flexcareconference/meeting"


@dataclass
class Call:
    name: str
    path: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    # Acknowledgements: a different command id each call, read from this file; and two
    # more, for the checks (the first for the query count, the second over HTTP).
    ids_file: str | None = None
    check_ids: tuple[str, str] = ("", "")


@dataclass
class World:
    calls: list[Call]
    body_bytes: int
    ack_supply: int


# --- The world --------------------------------------------------------------------------------


def build_world(tablets: int, commands: int, acks: int, workdir: Path) -> World:
    """One ready meeting with `tablets` tablets and `commands` commands, all executed; a
    second tablet in a meeting of its own with `acks` fetched commands (plus two for the
    checks) to acknowledge."""
    from accounts.models import Feature
    from accounts.services import customer_create
    from conferences.models import Command, CommandStatus, CommandType, Conference
    from conferences.services import meeting_create
    from devices.services import device_create, device_token_issue

    customer = customer_create(name="Benchmark Hospital", features=[Feature.FLEXCARE])
    devices = [device_create(customer=customer, name=f"Bed {n}", serial=f"BENCH{n:05d}",
                             device_id=f"{900000 + n}", technical_room_number=f"{n}")
               for n in range(tablets + 1)]
    acker = devices.pop()
    meeting = meeting_create(customer=customer, devices=devices, employee=None)
    ack_meeting = meeting_create(customer=customer, devices=[acker], employee=None)
    for each in (meeting, ack_meeting):  # provisioned on commit (fake provider, tasks inline)
        each.refresh_from_db()
        if not each.is_ready:
            raise SystemExit("the fake provider should have provisioned the meetings")
    participants = {p.device_id: p for p in meeting.participants.all()}
    now = timezone.now()
    done = {"status": CommandStatus.EXECUTED, "delivery_count": 1, "fetched_at": now,
            "executed_at": now, "finished_at": now}
    Command.objects.bulk_create(
        Command(conference_device=participants[devices[n % tablets].pk],
                type=CommandType.SET_VOLUME, volume=n % 101, created_at=now, **done)
        for n in range(commands))
    Command.objects.filter(conference_device__conference__in=[meeting, ack_meeting],
                           type=CommandType.START_MEETING).update(**done)
    ack_participant = ack_meeting.participants.get()
    supply = Command.objects.bulk_create(
        (Command(conference_device=ack_participant, type=CommandType.SET_VOLUME, volume=50,
                 status=CommandStatus.FETCHED, delivery_count=1, fetched_at=now,
                 claim_expires_at=now + timedelta(hours=1), created_at=now)
         for _ in range(acks + 2)), batch_size=5000)
    ids = [command.pk for command in supply]
    (workdir / "ack-ids.txt").write_text("\n".join(ids[2:]) + "\n")
    # Bulk writes bypass the services: give the meetings a version after them, as a
    # service would (nothing has been served yet, so nothing could be stale).
    Conference.objects.filter(pk__in=[meeting.pk, ack_meeting.pk]).update()

    token = json.dumps({"token": device_token_issue(device=devices[0])})
    ack_token = json.dumps({"token": device_token_issue(device=acker)})
    first = Client().post(f"{MEETING}/device", token, content_type="application/json")
    if first.status_code != 200:
        raise SystemExit(f"getmeeting: HTTP {first.status_code} {first.content[:300]!r}")
    ack_path = f"{MEETING}/{ack_meeting.pk}/commands/{{}}/executed"
    calls = [
        Call("floor", f"/{FLOOR_PATH}", token),
        Call("getmeeting", f"{MEETING}/device", token),
        Call("getmeeting 304", f"{MEETING}/device", token,
             {"If-None-Match": first["ETag"]}, status=304),
        Call("getcommands", f"{MEETING}/{meeting.pk}/commands", token),
        Call("acknowledge", ack_path, ack_token, ids_file=str(workdir / "ack-ids.txt"),
             check_ids=(ids[0], ids[1])),
    ]
    return World(calls, len(first.content), acks)


def fill_background() -> str:
    """Ten times a region's history (see the module's docstring), by bulk SQL: the usage
    benchmark's meetings (usage_data.py), then seven more commands per held meeting and ten
    tokens per tablet, nine of them revoked."""
    from usage_data import build_usage_world

    started = time.perf_counter()
    build_usage_world(customers=500, days=4, per_day=50, first=date(2025, 1, 1))
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # as usage_data does
        cursor.execute("""
            INSERT INTO conferences_command (
                id, conference_device_id, type, value, volume, quality, status, error,
                created_at, fetched_at, delivery_count, executed_at, finished_at)
            SELECT 'e' || lpad(to_hex(p.n * 8 + i), 23, '0'), p.id, 'SET_VOLUME', NULL,
                   10 * i, NULL, 'EXECUTED', '', t, t, 1, t, t
            FROM (SELECT cd.id, row_number() OVER (ORDER BY cd.id) AS n,
                         m.started_at + interval '5 minutes' AS t
                  FROM conferences_conferencedevice cd
                  JOIN conferences_conference m ON m.id = cd.conference_id
                  WHERE m.started_at IS NOT NULL) p
            CROSS JOIN generate_series(0, 6) i
        """)
        cursor.execute("""
            INSERT INTO devices_devicetoken (id, prefix, digest, created_at, revoked_at,
                                             device_id)
            SELECT 'f' || lpad(to_hex(d.n * 10 + i), 23, '0'), 'fct_bench',
                   md5(d.id || i::text) || md5(i::text || d.id), now() - interval '2 days',
                   CASE WHEN i < 9 THEN now() - interval '1 day' END, d.id
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM devices_device) d
            CROSS JOIN generate_series(0, 9) i
        """)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("VACUUM ANALYZE")
        counts = []
        for table in ("conferences_conference", "conferences_command", "devices_device",
                      "devices_devicetoken"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (constants)
            counts.append(f"{cursor.fetchone()[0]:,} {table.split('_', 1)[1]}s")
    return f"{', '.join(counts)}; filled in {time.perf_counter() - started:.0f} s"


def count_queries(calls: list[Call]) -> dict[str, int]:
    """The SQL queries of one call of each, in the steady state (the second of two calls:
    the last-seen write and the document's rendering are not repeated every call)."""
    client = Client()
    counts = {}
    for call in calls:
        paths = [call.path] * 2
        if call.ids_file:
            paths = [call.path.format(call.check_ids[0])] * 2
        headers: dict[str, Any] = {
            f"HTTP_{k.upper().replace('-', '_')}": v for k, v in call.headers.items()}
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                response = client.post(path, call.body, content_type="application/json",
                                       **headers)
        if response.status_code != call.status:
            raise SystemExit(
                f"{call.name}: HTTP {response.status_code} {response.content[:300]!r}")
        counts[call.name] = len(queries)
    return counts


# --- The server and the load generator --------------------------------------------------------


def ensure_wrk() -> str:
    """wrk, from Debian's packages if it is missing (as root, like scripts/with-services.sh)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not Path("/etc/debian_version").exists():
        raise SystemExit("wrk is not installed: apt-get install wrk (as root on Debian)")
    print("installing wrk with apt-get...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"]):
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    return shutil.which("wrk") or "wrk"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database: str, workers: int, workdir: Path) -> Iterator[tuple[str, int]]:
    """The project's WSGI server with its gunicorn.conf.py, the access log switched off on
    the command line (benchmark_gunicorn.py)."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmark_settings",
           "FLEXCARE_BENCHMARK_DATABASE": database,
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(SCRIPTS)])}
    log = workdir / "gunicorn.log"
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [str(Path(sys.executable).parent / "gunicorn"), "flexcare.wsgi",
         "--config", "python:benchmark_gunicorn", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--error-logfile", str(log)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(f"{base}/health", timeout=2).close()  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not answer within 30 s")
        yield base, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def check_over_http(base: str, call: Call) -> None:
    path = call.path.format(call.check_ids[1]) if call.ids_file else call.path
    request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
        base + path, data=call.body.encode(), method="POST",
        headers={"Content-Type": "application/json", **call.headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != call.status:
        raise SystemExit(f"{call.name} over HTTP: {status}, expected {call.status}")


_LUA = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
{headers}
"""
# Each wrk thread acknowledges every `threads`-th id of the list, from its own offset on.
_LUA_IDS = """
local ids = {{}}
for line in io.lines({ids_file}) do ids[#ids + 1] = line end
local created = 0
function setup(thread)
    thread:set("offset", created)
    created = created + 1
end
local sent = nil
function request()
    sent = sent or offset
    local id = ids[(sent % #ids) + 1]
    sent = sent + {threads}
    return wrk.format(nil, string.format({path}, id))
end
"""


def lua_quote(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal for these texts


@dataclass
class Sample:
    rate: float
    p50: float  # ms
    p99: float
    requests: int
    cpu: float  # ms of CPU per call, web workers and database backends together


def server_cpu(master: int, database: str) -> dict[int, float]:
    """CPU seconds used so far by each of gunicorn's workers and of the database's client
    backends (not this process's, nor autovacuum's): what the calls cost, whatever else the
    machine is busy with. By process, so that one gone meanwhile subtracts nothing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                       "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                       [database])
        pids = [row[0] for row in cursor.fetchall()]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _stat(entry.name)[1:2] == [str(master)]:
            pids.append(int(entry.name))
    ticks = os.sysconf("SC_CLK_TCK")
    return {pid: (int(fields[11]) + int(fields[12])) / ticks
            for pid, fields in ((pid, _stat(pid)) for pid in pids) if fields}


def _stat(pid: int | str) -> list[str]:
    """/proc/PID/stat from the state on (so [1] is the parent, [11] and [12] the CPU times);
    empty if the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(wrk: str, base: str, call: Call, seconds: int, threads: int, connections: int,
            workdir: Path, cpu: Callable[[], dict[int, float]]) -> Sample:
    script = _LUA.format(body=lua_quote(call.body), headers="\n".join(
        f"wrk.headers[{lua_quote(k)}] = {lua_quote(v)}" for k, v in call.headers.items()))
    if call.ids_file:
        script += _LUA_IDS.format(ids_file=lua_quote(call.ids_file), threads=threads,
                                  path=lua_quote(call.path.replace("{}", "%s")))
    lua = workdir / "call.lua"
    lua.write_text(script)
    cpu_before = cpu()
    result = subprocess.run(  # noqa: S603 (wrk, fixed arguments)
        [wrk, "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
         "-s", str(lua), base + call.path.replace("{}", "x")],
        capture_output=True, text=True)
    used = sum(seconds - cpu_before.get(pid, 0.0) for pid, seconds in cpu().items())
    out = result.stdout
    if result.returncode:
        raise SystemExit(f"{call.name}: wrk failed:\n{out}{result.stderr}")

    def latency(percent: str) -> float:
        value, unit = _found(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * _UNITS[unit]

    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if failed or errors:
        raise SystemExit(f"{call.name}: wrk saw failures:\n{out}")
    requests = int(_found(r"(\d+) requests in", out).group(1))
    return Sample(rate=float(_found(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                  p50=latency("50"), p99=latency("99"), requests=requests,
                  cpu=used * 1000 / max(requests, 1))


def _found(pattern: str, text: str, flags: int = 0) -> re.Match[str]:
    """wrk's output as expected, or the benchmark stops saying what it got."""
    match = re.search(pattern, text, flags)
    if match is None:
        raise SystemExit(f"wrk's output has no {pattern!r}:\n{text}")
    return match


# --- The report -------------------------------------------------------------------------------


def report(calls: list[Call], rounds: list[dict[str, Sample]], queries: dict[str, int],
           title: str) -> None:
    """Medians over the rounds; each ratio is to the floor of the same round."""
    rows: list[dict[str, Any]] = []
    for call in calls:
        samples = [each[call.name] for each in rounds]
        ratios = [each[call.name].rate / each["floor"].rate for each in rounds]
        cpu_ratios = [each["floor"].cpu / each[call.name].cpu for each in rounds]
        rows.append({
            "name": call.name, "rate": statistics.median(s.rate for s in samples),
            "ratio": statistics.median(ratios), "low": min(ratios), "high": max(ratios),
            "p50": statistics.median(s.p50 for s in samples),
            "p99": statistics.median(s.p99 for s in samples),
            "cpu": statistics.median(s.cpu for s in samples),
            "cpu_ratio": statistics.median(cpu_ratios), "queries": queries[call.name],
        })
    print(f"\n{title}\n")
    print(f"{'call':<16} {'req/s':>7} {'x floor':>8} {'(spread)':>13} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'p99/p50':>7} {'CPU ms':>7} {'x floor':>8} {'queries':>7}")
    for row in rows:
        spread = f"({row['low']:.2f}-{row['high']:.2f})"
        print(f"{row['name']:<16} {row['rate']:>7.0f} {row['ratio']:>8.2f} "
              f"{spread:>13} {row['p50']:>7.2f} "
              f"{row['p99']:>7.2f} {row['p99'] / row['p50']:>7.1f} {row['cpu']:>7.2f} "
              f"{row['cpu_ratio']:>8.2f} {row['queries']:>7}")
    print("\nMarkdown:\n")
    print("| call | req/s | × floor | p50 | p99 | CPU per call (× floor) | SQL queries |")  # noqa: RUF001
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        floor = row["name"] == "floor"
        label = "do-nothing DRF view (the floor)" if floor else row["name"]
        spread = "" if floor else f" ({row['low']:.2f}–{row['high']:.2f})"  # noqa: RUF001
        print(f"| {label} | {row['rate']:,.0f} | {row['ratio']:.2f}{spread} | "
              f"{row['p50']:.2f} ms | {row['p99']:.2f} ms | {row['cpu']:.2f} ms "
              f"({row['cpu_ratio']:.2f}) | {row['queries']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tablets", type=int, default=20, help="tablets in the meeting")
    parser.add_argument("--commands", type=int, default=200, help="commands in the meeting")
    parser.add_argument("--duration", type=int, default=5, help="seconds per call and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=3, help="wrk connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--background", action="store_true",
                        help="fill the database ten times fuller first (bulk SQL)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("The benchmark needs PostgreSQL: run it as `make benchmark`.")
    if args.tablets < 1 or args.connections < args.threads:
        raise SystemExit("--tablets must be at least 1, --connections at least --threads")
    wrk = ensure_wrk()
    old_name = connection.creation.create_test_db(verbosity=0, serialize=False)
    try:
        with tempfile.TemporaryDirectory(prefix="flexcare-benchmark-") as tmp:
            workdir = Path(tmp)
            background = fill_background() if args.background else ""
            # Enough for every acknowledgement to be a first one at 3,000 calls a second.
            acks = int(3000 * args.duration * args.rounds) + 3000
            world = build_world(args.tablets, args.commands, acks, workdir)
            with connection.cursor() as cursor:
                # Statistics that know of the acknowledgements' supply (tens of thousands of
                # unfinished commands of one tablet, where the queue limit allows 50): a
                # million rows of history hide it from autovacuum's ANALYZE, and planned
                # blind, each acknowledgement would walk it.
                cursor.execute("ANALYZE")
            queries = count_queries(world.calls)
            database = connection.settings_dict["NAME"]
            connections.close_all()
            load = os.getloadavg()[0]
            rounds: list[dict[str, Sample]] = []
            with gunicorn(database, args.workers, workdir) as (base, master):
                def cpu() -> dict[int, float]:
                    return server_cpu(master, database)

                acked = 0
                for call in world.calls:  # and a second of each, to warm up
                    check_over_http(base, call)
                    warm = run_wrk(wrk, base, call, 1, args.threads, args.connections, workdir,
                                   cpu)
                    acked += warm.requests if call.ids_file else 0
                for number in range(args.rounds):
                    rounds.append({call.name: run_wrk(wrk, base, call, args.duration,
                                                      args.threads, args.connections, workdir,
                                                      cpu)
                                   for call in world.calls})
                    print(f"round {number + 1}: " + ", ".join(
                        f"{name} {sample.rate:.0f}/s" for name, sample in rounds[-1].items()),
                        flush=True)
            acked += sum(each["acknowledge"].requests for each in rounds)
            title = (
                f"{args.tablets} tablets, {args.commands} commands "
                f"({world.body_bytes / 1024:.1f} KiB document); gunicorn {args.workers} sync "
                f"workers, access log off; wrk {args.threads} thread(s), {args.connections} "
                f"connections, {args.rounds} rounds of {args.duration} s; PostgreSQL "
                f"{getattr(connection, 'pg_version', 0) // 10000}, cache {_cache_name()}; "
                f"{os.cpu_count()} "
                f"CPUs, load {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
                + (f"\nbackground: {background}" if background else "")
                + ("" if acked <= world.ack_supply else
                   f"\nnote: {acked - world.ack_supply} acknowledgements repeated one")
            )
            report(world.calls, rounds, queries, title)
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _cache_name() -> str:
    from django.conf import settings

    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


if __name__ == "__main__":
    main()
