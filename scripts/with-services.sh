#!/usr/bin/env bash
# Run a command against private, throwaway PostgreSQL and Redis servers (and with Debian's
# Chromium for the browser tests).
#
#   scripts/with-services.sh CMD [ARGS...]
#   e.g. REQUIRE_SERVICES=1 scripts/with-services.sh .venv/bin/pytest
#
# Exports to CMD:
#   DATABASE_URL               postgres://flexcare@127.0.0.1:PORT/flexcare (role is SUPERUSER so
#                              pytest-django can create test databases); unset if unavailable,
#                              which makes the suite fall back to SQLite.
#   REDIS_URL                  redis://127.0.0.1:PORT/0; unset if unavailable.
#   FLEXCARE_CHROMIUM          /usr/bin/chromium (Debian's Chromium, driven by Playwright in the
#                              tests marked `browser`); set but EMPTY if unavailable, which makes
#                              those tests skip (unset, they look for /usr/bin/chromium themselves).
#   FLEXCARE_SERVICES_STARTED  space-separated list of what is available ("postgres redis chromium").
#
# Inputs:
#   DATABASE_URL / REDIS_URL   if already set (non-empty), used as given; that server is not started.
#   FLEXCARE_CHROMIUM          if already set (non-empty), that browser binary is used.
#   REQUIRE_SERVICES=1         a service that cannot be provided is a hard failure (exit 3).
#   FLEXCARE_TEST_PG_PORT      first port to try for PostgreSQL (default 54329).
#   FLEXCARE_TEST_REDIS_PORT   first port to try for Redis (default 63799).
#   FLEXCARE_TEST_FORCE_NO_SERVICES=1|postgres|redis|chromium (comma-separated for several)
#                              pretend that (all | that) service cannot be started, to exercise the
#                              fallback path.
#
# As root on Debian, missing packages (postgresql, redis-server, chromium) are installed with
# apt-get (without letting the packages start their system-wide servers). PostgreSQL runs as the
# `postgres` user when this runs as root, otherwise as the caller. Servers listen only on
# 127.0.0.1, keep their data in a mktemp dir under /tmp, and are stopped and deleted when CMD
# exits. The exit status is CMD's (2: usage, 3: REQUIRE_SERVICES failure). A SIGTERM sent to this
# script alone takes effect when CMD ends; Ctrl-C / killing the process group stops both at once.
set -euo pipefail

readonly LOG_PREFIX="[with-services]"
readonly START_TIMEOUT=30
readonly PORT_ATTEMPTS=50
# Serialises "pick a free port + start listening" between concurrent runs; without it two runs
# can both see the same port as free.
readonly PORT_LOCK=/tmp/flexcare-test-services.$EUID.lock
# Where Debian's `chromium` package puts its launcher.
readonly DEBIAN_CHROMIUM=/usr/bin/chromium

log() { printf '%s %s\n' "$LOG_PREFIX" "$*" >&2; }

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

WORKDIR=""
PG_BIN=""
PG_DATA=""
PG_STARTED=0
REDIS_STARTED=0
LOCK_FD=""
AS_ROOT=0
[[ $EUID -eq 0 ]] && AS_ROOT=1

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    set +e
    if [[ $PG_STARTED -eq 1 ]]; then
        run_as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 20 stop >/dev/null 2>&1
        kill_pidfile "$PG_DATA/postmaster.pid" postgres
    fi
    # Not `redis-cli shutdown`: if our server failed to bind, that port may be someone else's.
    [[ $REDIS_STARTED -eq 1 ]] && kill_pidfile "$WORKDIR/redis.pid" redis-server
    if [[ -n $WORKDIR && -d $WORKDIR ]]; then
        rm -rf -- "$WORKDIR"
    fi
    exit "$rc"
}

# Kill the process named in PIDFILE, but only if it still is the expected program, so a stale
# pidfile can never take down an unrelated process that reused the pid.
kill_pidfile() {
    local pidfile=$1 expect=$2 pid i
    [[ -f $pidfile ]] || return 0
    pid=$(head -n1 "$pidfile" 2>/dev/null | tr -dc 0-9)
    [[ -n $pid ]] || return 0
    is_proc "$pid" "$expect" || return 0
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        is_proc "$pid" "$expect" || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    return 0
}

is_proc() {
    [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q -- "$2"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# `command -v` alone is not enough: bash reports a non-executable file when nothing better exists.
have_exe() {
    local p
    p=$(command -v "$1" 2>/dev/null) && [[ -x $p ]]
}

forced_off() {
    case "${FLEXCARE_TEST_FORCE_NO_SERVICES:-}" in
        "" | 0) return 1 ;;
        1 | all | yes | true) return 0 ;;
        *) [[ " ${FLEXCARE_TEST_FORCE_NO_SERVICES//,/ } " == *" $1 "* ]] ;;
    esac
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port_from() {
    local port=$1 i
    for ((i = 0; i < PORT_ATTEMPTS; i++)); do
        if ! port_busy "$port"; then
            echo "$port"
            return 0
        fi
        port=$((port + 1))
    done
    return 1
}

# The lock fd is always opened (even without flock) so `{LOCK_FD}>&-` below stays valid; the
# servers must not inherit it, or they would hold the lock for their whole life.
lock_ports() {
    # (The group's 2>/dev/null is temporary; on `exec` itself it would silence this script.)
    { exec {LOCK_FD}>>"$PORT_LOCK"; } 2>/dev/null || exec {LOCK_FD}>/dev/null
    if command -v flock >/dev/null 2>&1; then
        flock -w 120 "$LOCK_FD" || true
    fi
}

unlock_ports() {
    [[ -n $LOCK_FD ]] || return 0
    flock -u "$LOCK_FD" 2>/dev/null || true
    exec {LOCK_FD}>&-
    LOCK_FD=""
}

# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user.
run_as_pg() {
    if [[ $AS_ROOT -eq 1 ]]; then
        if command -v runuser >/dev/null 2>&1; then
            (cd "$WORKDIR" && runuser -u postgres -- "$@")
        else
            (cd "$WORKDIR" && su postgres -s /bin/sh -c "$(printf '%q ' "$@")")
        fi
    else
        (cd "$WORKDIR" && "$@")
    fi
}

find_pg_bin() {
    local d
    d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    if [[ -n $d && -x $d/initdb ]]; then
        echo "$d"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        if [[ -n $d && -x $d/initdb ]]; then
            echo "$d"
            return 0
        fi
    fi
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

# Installs whatever of postgresql / redis-server / chromium is missing (root + Debian + apt only).
install_missing() {
    local want=()
    if ! forced_off postgres && [[ -z ${DATABASE_URL:-} ]] && ! find_pg_bin >/dev/null; then
        want+=(postgresql)
    fi
    if ! forced_off redis && [[ -z ${REDIS_URL:-} ]] && ! have_exe redis-server; then
        want+=(redis-server)
    fi
    if ! forced_off chromium && [[ -z ${FLEXCARE_CHROMIUM:-} && ! -x $DEBIAN_CHROMIUM ]]; then
        want+=(chromium)
    fi
    [[ ${#want[@]} -gt 0 ]] || return 0
    if [[ $AS_ROOT -ne 1 || ! -f /etc/debian_version ]] || ! command -v apt-get >/dev/null; then
        log "cannot install ${want[*]}: needs root on Debian with apt-get"
        return 0
    fi
    log "installing ${want[*]} with apt-get (one-off, takes a minute or two)..."
    # The packages' postinst scripts would start system-wide servers on 5432/6379 and leave them
    # running; a policy-rc.d that says "no" (exit 101) stops that, as in Docker images.
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
    fi
    local aptlog="$WORKDIR/apt.log" ok=1
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get update -qq >"$aptlog" 2>&1 ||
        ! apt-get install -y -qq --no-install-recommends "${want[@]}" >>"$aptlog" 2>&1; then
        ok=0
    fi
    [[ $made_policy -eq 1 ]] && rm -f "$policy"
    if [[ $ok -ne 1 ]]; then
        log "apt-get failed; last lines of its output:"
        tail -n 15 "$aptlog" | sed "s/^/$LOG_PREFIX   /" >&2
    fi
    return 0
}

SERVICE_ERROR=""

start_postgres() {
    if forced_off postgres; then
        SERVICE_ERROR="disabled by FLEXCARE_TEST_FORCE_NO_SERVICES"
        return 1
    fi
    PG_BIN=$(find_pg_bin) || { SERVICE_ERROR="PostgreSQL server binaries not found"; return 1; }
    if [[ $AS_ROOT -eq 1 ]] && ! id postgres >/dev/null 2>&1; then
        SERVICE_ERROR="running as root but there is no 'postgres' user to run the server as"
        return 1
    fi
    local sockdir="$WORKDIR"
    PG_DATA="$WORKDIR/pgdata"
    if [[ $AS_ROOT -eq 1 ]]; then
        chown postgres: "$WORKDIR" || { SERVICE_ERROR="chown $WORKDIR failed"; return 1; }
    fi
    if ! run_as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 --no-sync --no-instructions >"$WORKDIR/initdb.log" 2>&1; then
        SERVICE_ERROR="initdb failed: $(tail -n 3 "$WORKDIR/initdb.log" | tr '\n' ' ')"
        return 1
    fi
    # Durability is pointless for a throwaway test server; parallel query is off because it
    # needs /dev/shm, which is tiny (64 MB) in default Docker containers.
    cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- flexcare test instance (scripts/with-services.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sockdir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
max_parallel_workers_per_gather = 0
EOF
    lock_ports
    local port attempt started=0
    port=${FLEXCARE_TEST_PG_PORT:-54329}
    for ((attempt = 0; attempt < 5; attempt++)); do
        port=$(free_port_from "$port") || break
        [[ -f $WORKDIR/postgres.log ]] && : >"$WORKDIR/postgres.log"
        if run_as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORKDIR/postgres.log" -o "-p $port" \
            -w -t "$START_TIMEOUT" start >/dev/null 2>&1 {LOCK_FD}>&-; then
            started=1
            break
        fi
        # Someone outside our lock grabbed the port between the check and the bind: next port.
        grep -q "could not bind\|could not create any TCP/IP sockets" \
            "$WORKDIR/postgres.log" 2>/dev/null || break
        port=$((port + 1))
    done
    PG_STARTED=1 # even on failure: pg_ctl may have left a postmaster behind, cleanup checks.
    unlock_ports
    if [[ $started -ne 1 ]]; then
        SERVICE_ERROR="server did not start: $(tail -n 3 "$WORKDIR/postgres.log" 2>/dev/null |
            tr '\n' ' ')"
        return 1
    fi
    local i
    for ((i = 0; i < START_TIMEOUT * 10; i++)); do
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" && break
        sleep 0.1
    done
    if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port"; then
        SERVICE_ERROR="not accepting connections on 127.0.0.1:$port after ${START_TIMEOUT}s"
        return 1
    fi
    if ! "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$sockdir" -p "$port" -U postgres \
        -d postgres -c "CREATE ROLE flexcare LOGIN SUPERUSER" \
        -c "CREATE DATABASE flexcare OWNER flexcare" >"$WORKDIR/psql.log" 2>&1; then
        SERVICE_ERROR="creating role/database failed: $(tr '\n' ' ' <"$WORKDIR/psql.log")"
        return 1
    fi
    export DATABASE_URL="postgres://flexcare@127.0.0.1:$port/flexcare"
    log "PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $3}') ready: $DATABASE_URL"
}

redis_ping() {
    if have_exe redis-cli; then
        [[ $(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]
    else
        (
            exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
            printf 'PING\r\n' >&3
            IFS= read -r -t 1 reply <&3 && [[ $reply == "+PONG"* ]]
        ) 2>/dev/null
    fi
}

start_redis() {
    if forced_off redis; then
        SERVICE_ERROR="disabled by FLEXCARE_TEST_FORCE_NO_SERVICES"
        return 1
    fi
    have_exe redis-server || { SERVICE_ERROR="redis-server not found"; return 1; }
    lock_ports
    local port attempt i ready=0 why=""
    port=${FLEXCARE_TEST_REDIS_PORT:-63799}
    for ((attempt = 0; attempt < 5; attempt++)); do
        port=$(free_port_from "$port") || break
        : >"$WORKDIR/redis.log"
        REDIS_STARTED=1
        redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
            --daemonize yes --pidfile "$WORKDIR/redis.pid" --logfile "$WORKDIR/redis.log" \
            --dir "$WORKDIR" >"$WORKDIR/redis-start.log" 2>&1 {LOCK_FD}>&- || {
            why="redis-server failed: $(tail -n 3 "$WORKDIR/redis-start.log" | tr '\n' ' ')"
            break
        }
        # --daemonize returns before the bind, so a taken port only shows up in the log.
        for ((i = 0; i < START_TIMEOUT * 10; i++)); do
            # Our pidfile is only written once our server listens; without checking it, a PING
            # answered by a foreign server that grabbed the port would count as success.
            if [[ -s $WORKDIR/redis.pid ]] && redis_ping "$port"; then
                ready=1
                break
            fi
            grep -q "Could not create server TCP\|Address already in use\|# Failed" \
                "$WORKDIR/redis.log" 2>/dev/null && break
            sleep 0.1
        done
        [[ $ready -eq 1 ]] && break
        grep -q "Address already in use" "$WORKDIR/redis.log" 2>/dev/null || break
        port=$((port + 1))
    done
    unlock_ports
    if [[ $ready -ne 1 ]]; then
        SERVICE_ERROR=${why:-"not answering PING on 127.0.0.1:$port: $(
            tail -n 3 "$WORKDIR/redis.log" 2>/dev/null | tr '\n' ' ')"}
        return 1
    fi
    export REDIS_URL="redis://127.0.0.1:$port/0"
    log "Redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') ready: $REDIS_URL"
}

warn_unavailable() {
    local name=$1 var=$2 marker=$3 reason=$4 left=${5:-unset}
    if [[ ${REQUIRE_SERVICES:-0} == 1 ]]; then
        log "ERROR: $name could not be started: $reason"
        return 0
    fi
    {
        echo
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        echo "!! WARNING: $name is NOT available for this run."
        echo "!!   reason: $reason"
        echo "!!   $var is left $left; tests marked @pytest.mark.$marker will be SKIPPED."
        [[ $marker == postgres ]] && echo "!!   The rest of the suite runs on SQLite."
        echo "!!   Set REQUIRE_SERVICES=1 to make this a hard failure."
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        echo
    } >&2
}

WORKDIR=$(mktemp -d /tmp/flexcare-services.XXXXXXXX)
chmod 755 "$WORKDIR"

[[ -n ${DATABASE_URL:-} ]] || unset DATABASE_URL
[[ -n ${REDIS_URL:-} ]] || unset REDIS_URL

install_missing

available=()
missing=()

if [[ -n ${DATABASE_URL:-} ]]; then
    log "DATABASE_URL already set, using it as given (no private PostgreSQL started)"
    [[ $DATABASE_URL == postgres* ]] && available+=(postgres)
elif start_postgres; then
    available+=(postgres)
else
    unset DATABASE_URL
    missing+=(postgres)
    warn_unavailable PostgreSQL DATABASE_URL postgres "$SERVICE_ERROR"
fi

if [[ -n ${REDIS_URL:-} ]]; then
    log "REDIS_URL already set, using it as given (no private Redis started)"
    available+=(redis)
elif start_redis; then
    available+=(redis)
else
    unset REDIS_URL
    missing+=(redis)
    warn_unavailable Redis REDIS_URL redis "$SERVICE_ERROR"
fi

# No server to start: the browser only has to be there. An unusable one leaves FLEXCARE_CHROMIUM
# set but empty, so the tests do not fall back to /usr/bin/chromium behind our back.
CHROMIUM_ERROR=""
if forced_off chromium; then
    CHROMIUM_ERROR="disabled by FLEXCARE_TEST_FORCE_NO_SERVICES"
elif [[ -n ${FLEXCARE_CHROMIUM:-} ]]; then
    [[ -f $FLEXCARE_CHROMIUM && -x $FLEXCARE_CHROMIUM ]] ||
        CHROMIUM_ERROR="FLEXCARE_CHROMIUM=$FLEXCARE_CHROMIUM is not an executable file"
elif [[ -f $DEBIAN_CHROMIUM && -x $DEBIAN_CHROMIUM ]]; then
    FLEXCARE_CHROMIUM=$DEBIAN_CHROMIUM
else
    CHROMIUM_ERROR="$DEBIAN_CHROMIUM not found (Debian's chromium package is not installed)"
fi
if [[ -z $CHROMIUM_ERROR ]]; then
    export FLEXCARE_CHROMIUM
    available+=(chromium)
    # (Debian's launcher script may grumble on stderr about /dev/shm; the version is on stdout.)
    log "$("$FLEXCARE_CHROMIUM" --version 2>/dev/null | awk 'NR == 1 {print $1, $2}') ready:" \
        "$FLEXCARE_CHROMIUM"
else
    export FLEXCARE_CHROMIUM=""
    missing+=(chromium)
    warn_unavailable Chromium FLEXCARE_CHROMIUM browser "$CHROMIUM_ERROR" empty
fi

if [[ ${REQUIRE_SERVICES:-0} == 1 && ${#missing[@]} -gt 0 ]]; then
    log "ERROR: REQUIRE_SERVICES=1 but these services could not be started: ${missing[*]}"
    log "ERROR: not running: $*"
    exit 3
fi

export FLEXCARE_SERVICES_STARTED="${available[*]}"

# Foreground, not `cmd & wait`: a background job would get stdin from /dev/null and ignore
# Ctrl-C, which breaks pytest --pdb and interrupting a run.
set +e
"$@"
cmd_rc=$?
set -e
exit "$cmd_rc"
