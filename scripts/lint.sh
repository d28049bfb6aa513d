#!/usr/bin/env bash
# The static checks, run by `make lint` and first thing by `make test` (so by CI): ruff, then
# import-linter's contracts (pyproject.toml: the apps' layers; production code never imports
# the dev tools or the tests), then mypy (configured in pyproject.toml).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== ruff"
.venv/bin/ruff check .
echo "== import-linter"
# No cache: it goes by file times and can miss an edit undone within the same second; the
# whole check takes about a second anyway.
.venv/bin/lint-imports --no-logo --no-cache
echo "== mypy"
# Incremental (.mypy_cache): a few seconds once warm, a minute or two from cold.
.venv/bin/mypy
