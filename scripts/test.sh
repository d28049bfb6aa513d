#!/usr/bin/env bash
# The whole suite: the static checks (scripts/lint.sh), then pytest. Run through
# scripts/with-services.sh (as `make test` does) to get private PostgreSQL and Redis servers;
# without them it runs on SQLite and says loudly which tests it skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/lint.sh
echo "== pytest (database: ${DATABASE_URL:-SQLite}, redis: ${REDIS_URL:-none})" | sed -E 's#//[^@/]*@#//***@#g'
# One pytest worker per core (pytest-xdist); whole files go to one worker, so that a module's
# world (tests/conftest.py) is built once. ARGS="-n 0" runs in one process (for --pdb).
pytest=(.venv/bin/pytest --numprocesses=auto --dist=loadfile)
if [ $# -gt 0 ]; then
    exec "${pytest[@]}" "$@"
fi
# The whole suite: the load runs (the soak's short variant, the scale demo) saturate both
# cores by design, so they run on their own afterwards, not beside tests that time a request.
LOAD_RUNS=tests/devtools/test_load_runs.py
"${pytest[@]}" --ignore="$LOAD_RUNS"
echo "== pytest: the load runs, alone"
exec .venv/bin/pytest --numprocesses=0 "$LOAD_RUNS"
