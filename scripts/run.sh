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

# One process group: Ctrl-C (or any exit) stops the web server, the worker and beat together.
trap 'trap - EXIT INT TERM; kill 0 2>/dev/null || true' EXIT INT TERM
.venv/bin/celery -A flexcare worker --beat --loglevel=INFO --concurrency=2 \
    --schedule var/celerybeat-schedule &
echo "Portal: http://127.0.0.1:${PORT}/admin/  (Ctrl-C stops the portal, worker and beat)"
$PY manage.py runserver "127.0.0.1:${PORT}" &
wait -n
