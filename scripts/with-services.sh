#!/usr/bin/env bash
# Run a command with private, throwaway PostgreSQL and Redis servers:
#
#   scripts/with-services.sh CMD [ARGS...]      e.g. scripts/with-services.sh .venv/bin/pytest
#
# CMD gets DATABASE_URL, a superuser (so pytest-django can create its test databases) of a
# cluster made by Debian's pg_virtualenv, which runs the server as `postgres` when called as
# root; and REDIS_URL, a redis-server. Both listen only on unix sockets in a fresh temporary
# folder: no ports to hunt for, so any number of runs can go at once. Both are stopped and
# deleted when CMD ends; the exit status is CMD's.
#
# A DATABASE_URL or REDIS_URL already set is used as given. A server that cannot be started
# leaves its variable unset and says why; whether the tests that need it are then skipped or
# fail (REQUIRE_SERVICES=1) is for tests/service_markers.py to decide. scripts/bootstrap.sh,
# run first, installs what is missing (PostgreSQL, Redis, Chromium) as root on Debian.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi
log() { echo "[with-services] $*" >&2; }

bash "$(dirname "$0")/bootstrap.sh"
tmp=$(mktemp -d /tmp/flexcare-services.XXXXXXXX)
chmod 755 "$tmp" # as root, PostgreSQL runs as `postgres` and must reach its socket folder
redis_pid=""
cleanup() {
    if [[ -n $redis_pid ]]; then
        kill "$redis_pid" 2>/dev/null
        wait "$redis_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
[[ -n ${DATABASE_URL:-} ]] || unset DATABASE_URL # empty: django-environ would read no database
trap 'exit 130' INT
trap 'exit 143' TERM

start_redis() {
    local sock=$tmp/redis.sock i
    if ! command -v redis-server >/dev/null; then
        log "Redis is not installed"
        return
    fi
    redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --save '' \
        --appendonly no --dir "$tmp" --logfile "$tmp/redis.log" </dev/null >/dev/null 2>&1 &
    redis_pid=$!
    for ((i = 0; i < 300; i++)); do
        if [[ $(redis-cli -s "$sock" ping 2>/dev/null) == PONG ]]; then
            export REDIS_URL=unix://$sock
            log "Redis $(redis-server --version | grep -o 'v=[^ ]*' | cut -c3-): $REDIS_URL"
            return
        fi
        kill -0 "$redis_pid" 2>/dev/null || break
        sleep 0.1
    done
    log "Redis did not start: $(tail -n 3 "$tmp/redis.log" 2>/dev/null)"
}

# The cluster's whole configuration: Debian's defaults for clusters (createcluster.conf) are not
# read, so the server has no TCP port at all, and its socket is for its owner (and root) only,
# which is what makes trust authentication safe. Durability is pointless for a throwaway server;
# parallel query needs /dev/shm, which is tiny (64 MB) in default containers; the log keeps
# only fatal errors because pg_virtualenv prints its tail after a failing command, where it
# would bury pytest's summary under the errors that tests provoke on purpose.
write_cluster_conf() {
    cat >"$tmp/cluster.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$tmp/pg'
unix_socket_permissions = 0700
synchronous_commit = off
full_page_writes = off
max_connections = 200
max_parallel_workers_per_gather = 0
log_min_messages = fatal
EOF
}

# Runs "$@" inside pg_virtualenv (-t: in a temporary folder even as root, so that concurrent
# runs never share /etc/postgresql). If the cluster could not be made, "$@" runs without it.
# DATABASE_URL names the socket folder as django-environ reads it (postgres://user@:port//folder
# /db); psql needs no URL, pg_virtualenv and PGHOST set its variables.
run_with_postgres() {
    mkdir "$tmp/pg"
    [[ $EUID -ne 0 ]] || chown postgres: "$tmp/pg"
    write_cluster_conf
    local rc=0
    # shellcheck disable=SC2016 # expanded by the inner shell, inside pg_virtualenv
    pg_virtualenv -t -i --auth=trust -c "--createclusterconf=$tmp/cluster.conf" bash -c '
        : >"$0/started"
        export PGHOST=$0/pg DATABASE_URL="postgres://$PGUSER@:$PGPORT/$0/pg/$PGDATABASE"
        echo "[with-services] PostgreSQL $PGVERSION: $DATABASE_URL" >&2
        exec "$@"' "$tmp" "$@" || rc=$?
    if [[ -e $tmp/started ]]; then
        return "$rc"
    fi
    log "PostgreSQL did not start (pg_virtualenv said why above)"
    "$@"
}

if [[ -n ${REDIS_URL:-} ]]; then
    log "REDIS_URL is set: using it, no private Redis"
else
    start_redis
fi

# Foreground, not `cmd & wait`: a background job would read stdin from /dev/null and ignore
# Ctrl-C, which breaks pytest --pdb and interrupting a run.
set +e
if [[ -n ${DATABASE_URL:-} ]]; then
    log "DATABASE_URL is set: using it, no private PostgreSQL"
    "$@"
elif command -v pg_virtualenv >/dev/null; then
    run_with_postgres "$@"
else
    log "PostgreSQL is not installed"
    "$@"
fi
