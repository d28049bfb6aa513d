#!/usr/bin/env bash
# The whole suite: the static checks (scripts/lint.sh), then pytest. Run through
# scripts/with-services.sh (as `make test` does) to get private PostgreSQL and Redis servers;
# without them it runs on SQLite and says loudly which tests it skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/lint.sh
echo "== pytest (database: ${DATABASE_URL:-SQLite}, redis: ${REDIS_URL:-none})" | sed -E 's#//[^@/]*@#//***@#g'
exec .venv/bin/pytest "$@"
