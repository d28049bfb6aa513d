#!/usr/bin/env bash
# Quickstart: migrate SQLite, load demo data, serve the portal with a Celery worker + beat.
# No server to install: without REDIS_URL, Celery uses an embedded filesystem broker.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBUG="${DEBUG:-1}"
PORT="${PORT:-8000}"
PY=.venv/bin/python

$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo

pids=()
stop() {
    trap - EXIT INT TERM
    echo "Stopping the portal, worker and beat..."
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
}
trap stop EXIT INT TERM
# Beat runs inside the worker (-B): one process for the quickstart. Production runs one
# `celery beat` beside any number of workers.
.venv/bin/celery -A flexcare worker --beat --loglevel=INFO --concurrency=2 \
    --schedule var/celerybeat-schedule &
pids+=($!)
$PY manage.py runserver "127.0.0.1:${PORT}" &
pids+=($!)
echo "Portal: http://127.0.0.1:${PORT}/admin/  (Ctrl-C stops the portal, worker and beat)"
# Returns when either process exits or a signal arrives; the trap then stops the other.
wait -n || true
