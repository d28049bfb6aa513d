#!/usr/bin/env bash
# Quickstart: migrate SQLite, load demo data, serve the portal with a Celery worker + beat.
# No server to install: without REDIS_URL, Celery uses an embedded filesystem broker.
#
# The demo logins and tablet tokens are printed last, once the worker has said it is ready,
# so that they are not buried under its banner. SIGTERM (a process supervisor) or Ctrl-C stops
# the web server, worker and beat within STOP_SECONDS: they are asked first, then killed.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBUG="${DEBUG:-1}"
PORT="${PORT:-8000}"
URL="http://127.0.0.1:${PORT}"
PY=.venv/bin/python
STOP_SECONDS=7
mkdir -p var

$PY manage.py migrate --noinput -v0
logins="$($PY manage.py seed_demo --url "$URL")"

pids=()
stop() {
    trap - EXIT INT TERM
    echo "Stopping the portal, worker and beat..."
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq $((STOP_SECONDS * 10))); do
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
    # Still running (a task in the middle of a call to VDX, say): its work is recorded in the
    # database and picked up again at the next start.
    for pid in "${pids[@]}"; do pkill -KILL -P "$pid" 2>/dev/null || true; done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop EXIT INT TERM

worker_log=var/worker.log
: > "$worker_log"
# Beat runs inside the worker (-B): one process for the quickstart. Production runs one
# `celery beat` beside any number of workers. Its output is shown and kept in var/worker.log,
# to see when it is ready.
.venv/bin/celery -A flexcare worker --beat --loglevel=INFO --concurrency=2 \
    --schedule var/celerybeat-schedule > >(tee -a "$worker_log") 2>&1 &
pids+=($!)
$PY manage.py runserver "127.0.0.1:${PORT}" &
pids+=($!)

# Up to a minute for the worker to say it is ready and the web server to take connections.
for _ in $(seq 600); do
    grep -q " ready\." "$worker_log" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null \
        && break
    sleep 0.1
done
sleep 1  # the worker's first lines (the tasks it finds waiting) come right after "ready"
echo
echo "$logins"
echo
echo "Portal: ${URL}/admin/  (Ctrl-C stops the portal, worker and beat)"
# Returns when either process exits or a signal arrives; the trap then stops the other.
wait -n "${pids[@]}" || true
