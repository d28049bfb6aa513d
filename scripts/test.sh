#!/usr/bin/env bash
# The whole suite: the static checks (scripts/lint.sh), then pytest. Run through
# scripts/with-services.sh (as `make test` does) to get private PostgreSQL and Redis servers;
# without them it runs on SQLite and says loudly which tests it skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/lint.sh
echo "== pytest (database: ${DATABASE_URL:-SQLite}, redis: ${REDIS_URL:-none})" | sed -E 's#//[^@/]*@#//***@#g'
# pytest-xdist: one worker more than there are cores, because a good part of the suite's
# time is spent waiting (on Celery workers, servers started as processes, lifecycle windows,
# the browser) rather than computing. Workers that run out of tests take over half of another
# worker's remaining ones (worksteal), so that no long file (the isolation sweep: 1,099 tests)
# keeps one worker busy while the others idle; a module's world (tests/conftest.py) is then
# built once on each worker that runs some of its tests. ARGS="-n 0" runs in one process.
pytest=(.venv/bin/pytest --numprocesses="$(( $(nproc) + 1 ))" --dist=worksteal)
if [ $# -gt 0 ]; then
    exec "${pytest[@]}" "$@"
fi
# The whole suite: the load runs (the soak's short variant, the scale demo) each drive a whole
# stack of their own and check how late its work finishes (within bounds a machine busy with
# the rest of the suite would blur), so they run on their own afterwards.
LOAD_RUNS=tests/devtools/test_load_runs.py
"${pytest[@]}" --ignore="$LOAD_RUNS"
echo "== pytest: the load runs, alone"
exec .venv/bin/pytest --numprocesses=0 "$LOAD_RUNS"
