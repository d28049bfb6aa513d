#!/usr/bin/env bash
# What `make run` and `make test` need before they can run at all: make, python3 and its venv
# module. Debian leaves them out of a minimal install; as root we add whichever is missing.
set -euo pipefail

missing=()
command -v make >/dev/null 2>&1 || missing+=(make)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || [ ! -f /etc/debian_version ]; then
    echo "Please install: ${missing[*]}" >&2
    exit 1
fi
echo "[bootstrap] installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
