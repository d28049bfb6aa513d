"""The production stack on one machine, private and throwaway, for `make soak` and `make
scale-demo`: a PostgreSQL server and a Redis server of its own (each can be stopped and started
again on the same port), the migrations, the fake VDX server, gunicorn instances, Celery workers
and one beat. Every process runs in its own session, logs to a file in one temporary folder and
listens on 127.0.0.1 only; `Stack.stop()` ends them all and removes the folder.

PostgreSQL refuses to run as root, so as root its server runs as the `postgres` user (as in
scripts/with-services.sh). The server binaries must be installed (Debian: postgresql,
redis-server; `make test` installs them when run as root).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.vdx_fake_server import API_PREFIX, CLIENT_ID, CLIENT_SECRET, TOKEN_PATH

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 90.0  # seconds for any one process to be ready: generous for a busy machine


class StackError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(ready: Callable[[], object], *, timeout: float, what: str,
               alive: Callable[[], bool] = lambda: True) -> None:
    """Until `ready()` is true; an OSError from it (nothing listening yet) counts as not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if ready():
                return
        if not alive():
            raise StackError(f"{what}: the process exited")
        time.sleep(0.2)
    raise StackError(f"{what}: not ready after {timeout:.0f} s")


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc: no psutil needed)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may hold spaces; the parent pid follows its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            children.append(int(entry.name))
    return sorted(children)


@dataclass
class Process:
    """One long-running child process, in a session of its own, logging to `log`."""

    name: str
    args: list[str]
    log: Path
    env: dict[str, str]
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603  (our own command lines)
                self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        if self.popen is None:
            raise StackError(f"{self.name} was never started")
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def send(self, sig: int) -> None:
        if self.alive:
            os.kill(self.pid, sig)

    def stop(self, *, timeout: float = 30.0, sig: int = signal.SIGTERM) -> int | None:
        """`sig` to the process, then SIGKILL to its whole session after `timeout`."""
        if self.popen is None:
            return None
        if self.alive:
            os.kill(self.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):  # what it left behind (pool processes)
            os.killpg(self.pid, signal.SIGKILL)
        return self.popen.wait()

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Postgres:
    """A private PostgreSQL cluster: `restart()` is a fast shutdown and a start, same port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.log = folder / "postgres.log"
        self.port = free_port()
        self.bin = self._find_bin()
        self.as_root = os.geteuid() == 0

    @staticmethod
    def _find_bin() -> Path:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                       key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
        if found:
            return found[-1].parent
        if initdb := shutil.which("initdb"):
            return Path(initdb).parent
        raise StackError("PostgreSQL's server binaries are not installed "
                         "(Debian: apt-get install postgresql)")

    @property
    def url(self) -> str:
        return f"postgres://flexcare@127.0.0.1:{self.port}/flexcare"

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        done = subprocess.run(  # noqa: S603
            [*prefix, *args], cwd=self.folder, capture_output=True, text=True, check=False)
        if done.returncode:
            raise StackError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-500:]}\n"
                             f"{self.tail()}")

    def tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-10:])
        except OSError:
            return ""

    def init(self) -> None:
        self.folder.mkdir(parents=True)
        if self.as_root:
            shutil.chown(self.folder, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        # A throwaway server: no durability. Parallel query needs /dev/shm, tiny in containers.
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                       f"unix_socket_directories = '{self.folder}'\nfsync = off\n"
                       "synchronous_commit = off\nfull_page_writes = off\n"
                       "max_connections = 300\nmax_parallel_workers_per_gather = 0\n")
        self.start()
        subprocess.run(  # noqa: S603
            [str(self.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.folder),
             "-p", str(self.port), "-U", "postgres", "-d", "postgres",
             "-c", "CREATE ROLE flexcare LOGIN SUPERUSER",
             "-c", "CREATE DATABASE flexcare OWNER flexcare"],
            check=True, capture_output=True,
        )

    def start(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                  "-t", str(int(START_TIMEOUT)), "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w",
                  "-t", str(int(START_TIMEOUT)), "stop")

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class StackConfig:
    """What to run. `settings` are environment variables for every process (the portal's
    settings, e.g. shortened lifecycle windows); `vdx_args` are `manage.py fake_vdx` options."""

    web_instances: int = 1
    web_workers: int = 2
    celery_workers: int = 2
    concurrency: int = 2
    settings: dict[str, str] = field(default_factory=dict)
    vdx_args: list[str] = field(default_factory=list)


class Stack:
    """Start with `with Stack(config) as stack:`; everything is stopped and removed on exit
    (the logs are kept with `keep_logs`)."""

    def __init__(self, config: StackConfig, *, say: Callable[[str], None] = print,
                 keep_logs: bool = False) -> None:
        self.config = config
        self.say = say
        self.keep_logs = keep_logs
        self.folder = Path(tempfile.mkdtemp(prefix="flexcare-stack."))
        self.folder.chmod(0o755)  # the postgres user must reach its data folder
        self.postgres = Postgres(self.folder / "pg")
        self.redis_port = free_port()
        self.redis: Process | None = None
        self.vdx_port = free_port()
        self.vdx: Process | None = None
        self.web: list[Process] = []
        self.web_ports: list[int] = []
        self.workers: list[Process] = []
        self.beat: Process | None = None
        self.env = self._environment()
        # The supervisor (as systemd's Restart=always would): Celery workers that exit by
        # themselves are started again, and each such exit is recorded (time, name, why).
        self.exits: list[tuple[float, str, str]] = []
        self._held: set[int] = set()  # workers a fault stopped and restarts itself
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)

    # --- the environment every process shares -------------------------------------------

    def _environment(self) -> dict[str, str]:
        vdx = f"http://127.0.0.1:{self.vdx_port}"
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "flexcare.settings",
            "PYTHONUNBUFFERED": "1",
            # Production mode over plain HTTP on 127.0.0.1.
            "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "LOG_LEVEL": "INFO",
            "STATIC_ROOT": str(self.folder / "static"),
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "VDX_PROVIDER": "vdx", "VDX_API_URL": vdx + API_PREFIX,
            "VDX_TOKEN_URL": vdx + TOKEN_PATH,
            "VDX_CLIENT_ID": CLIENT_ID, "VDX_CLIENT_SECRET": CLIENT_SECRET,
            # Many tablets and employees log in from this one address.
            "TABLET_LOGIN_RATE": "100000/min", "EMPLOYEE_LOGIN_RATE": "100000/min",
            **self.config.settings,
        }

    # --- start and stop -------------------------------------------------------------------

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _process(self, name: str, *args: str) -> Process:
        return Process(name, list(args), self.folder / f"{name}.log", self.env).start()

    def start(self) -> None:
        started = time.monotonic()
        self.postgres.init()
        self.start_redis()
        self.say(f"PostgreSQL on :{self.postgres.port}, Redis on :{self.redis_port}; "
                 f"logs in {self.folder}")
        # The fake VDX needs no database: it starts while the migrations run.
        self.vdx = self._process("fake-vdx", sys.executable, "manage.py", "fake_vdx",
                                 "--port", str(self.vdx_port), *self.config.vdx_args)
        self._manage("migrate", "--noinput", "-v0")
        for n in range(self.config.web_instances):
            port = free_port()
            self.web_ports.append(port)
            self.web.append(self._process(
                f"web-{n + 1}", sys.executable, "-m", "gunicorn", "flexcare.wsgi",
                "--bind", f"127.0.0.1:{port}", "--workers", str(self.config.web_workers)))
        for n in range(self.config.celery_workers):
            self.workers.append(self._process(
                f"worker-{n + 1}", sys.executable, "-m", "celery", "-A", "flexcare", "worker",
                "--loglevel=INFO", f"--concurrency={self.config.concurrency}",
                "--without-gossip", "--without-mingle", f"--hostname=worker{n + 1}@%h"))
        self.beat = self._process(
            "beat", sys.executable, "-m", "celery", "-A", "flexcare", "beat", "--loglevel=INFO",
            f"--schedule={self.folder / 'beat-schedule'}")
        vdx = self.vdx
        wait_until(lambda: self._get(f"http://127.0.0.1:{self.vdx_port}/_control"),
                   timeout=START_TIMEOUT, what="fake VDX", alive=lambda: vdx.alive)
        for web, url in zip(self.web, self.web_urls, strict=True):
            wait_until(functools.partial(self._get, url + "/health"), timeout=START_TIMEOUT,
                       what=web.name, alive=functools.partial(getattr, web, "alive"))
        for worker in self.workers:
            self._wait_for_worker(worker, since=0)
        self._supervisor.start()
        self.say(f"stack ready in {time.monotonic() - started:.0f} s: "
                 f"{len(self.web)} gunicorn x {self.config.web_workers} workers "
                 f"({', '.join(self.web_urls)}), {len(self.workers)} Celery workers x "
                 f"{self.config.concurrency}, beat, fake VDX on :{self.vdx_port}")

    def _manage(self, *args: str) -> None:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
            text=True, check=False)
        if done.returncode:
            raise StackError(f"manage.py {args[0]} failed:\n{done.stderr[-2000:]}")

    def stop(self) -> None:
        self._stopping.set()
        if self._supervisor.is_alive():
            self._supervisor.join(timeout=30)
        processes = [p for p in [*self.web, *self.workers, self.beat, self.vdx, self.redis] if p]
        for process in processes:  # all at once: each may take seconds to finish its work
            process.send(signal.SIGTERM)
        for process in processes:
            process.stop(timeout=15)
        if self.postgres.running():
            try:
                self.postgres.stop("immediate")
            except StackError as exc:
                self.say(f"stopping PostgreSQL: {exc}")
        if self.keep_logs:
            self.say(f"logs kept in {self.folder}")
        else:
            shutil.rmtree(self.folder, ignore_errors=True)

    # --- faults -------------------------------------------------------------------------

    def start_redis(self) -> None:
        # No persistence: stopping it loses every queued message, as a crash would.
        self.redis = self._process(
            "redis", "redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
            "--save", "", "--appendonly", "no", "--dir", str(self.folder))
        redis = self.redis
        wait_until(lambda: redis_ping(self.redis_port), timeout=START_TIMEOUT, what="Redis",
                   alive=lambda: redis.alive)

    def stop_redis(self) -> None:
        if self.redis is not None:
            self.redis.stop(timeout=15)

    def gunicorn_workers(self, instance: int = 0) -> list[int]:
        return child_pids(self.web[instance].pid)

    def kill_worker(self, index: int) -> Process:
        """SIGKILL to a Celery worker and its pool; `restart_worker` starts it again."""
        with self._lock:
            self._held.add(index)
            worker = self.workers[index]
            os.killpg(worker.pid, signal.SIGKILL)
        return worker

    def restart_worker(self, index: int) -> None:
        """Start a new Celery worker in place of one that died (as a supervisor would)."""
        with self._lock:
            since = self._replace_worker(index)
            self._held.discard(index)
        self._wait_for_worker(self.workers[index], since=since)

    def _replace_worker(self, index: int) -> int:
        old = self.workers[index]
        old.stop(timeout=5)
        since = old.log.stat().st_size
        self.workers[index] = Process(old.name, old.args, old.log, self.env).start()
        return since

    def _supervise(self) -> None:
        while not self._stopping.wait(1):
            with self._lock:
                for index, worker in enumerate(self.workers):
                    if index in self._held or worker.alive or self._stopping.is_set():
                        continue
                    why = next((line.strip() for line in reversed(worker.tail(200).splitlines())
                                if "Unrecoverable error" in line),
                               f"exit status {worker.popen and worker.popen.returncode}")
                    self.exits.append((time.time(), worker.name, why))
                    self.say(f"          supervisor: {worker.name} exited ({why[:160]}); "
                             "starting it again")
                    self._replace_worker(index)  # it connects once its broker answers

    def _wait_for_worker(self, worker: Process, *, since: int) -> None:
        def ready() -> bool:
            with worker.log.open("rb") as log:
                log.seek(since)
                return b" ready." in log.read()

        wait_until(ready, timeout=START_TIMEOUT, what=worker.name, alive=lambda: worker.alive)

    @staticmethod
    def tasks_run() -> dict[str, Counter[str]]:
        """Per Celery worker (its node name), how many tasks of each name it has run: Celery's
        own counters, asked over a connection of its own (Redis may have been restarted).
        Django must be set up against the stack (its settings name the broker)."""
        from flexcare.celery import app

        with app.connection_for_write() as connection:
            stats = app.control.inspect(timeout=2, connection=connection).stats() or {}
        return {name: Counter(s["total"]) for name, s in sorted(stats.items())}

    # --- the fake VDX's control endpoint and plain HTTP ----------------------------------

    @property
    def web_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.web_ports]

    def vdx_faults(self, **changes: Any) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.vdx_port}/_control", data=json.dumps(changes).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass

    def vdx_state(self) -> dict[str, Any]:
        answer = self._get(f"http://127.0.0.1:{self.vdx_port}/_control")
        if answer is None:
            raise StackError("the fake VDX server does not answer")
        return answer

    @staticmethod
    def _get(url: str) -> Any:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                return json.loads(response.read() or b"null") or True
        except (OSError, ValueError):
            return None
