#!/usr/bin/env bash
# What the two commands need from the system: make, python3 and its venv module (Debian leaves
# them out of a minimal install), and for `make test` PostgreSQL with pg_virtualenv, Redis and
# Chromium (scripts/with-services.sh runs this first). As root on Debian, whichever is missing
# is installed; otherwise the missing tools are named, and missing services are left to the
# suite, which skips their tests loudly (or fails under REQUIRE_SERVICES=1).
set -euo pipefail

tools=() services=()
command -v make >/dev/null 2>&1 || tools+=(make)
command -v python3 >/dev/null 2>&1 || tools+=(python3)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || tools+=(python3-venv)
{ command -v pg_virtualenv && compgen -G "/usr/lib/postgresql/*/bin/initdb"; } >/dev/null 2>&1 ||
    services+=(postgresql)
command -v redis-server >/dev/null 2>&1 || services+=(redis-server)
[ -x /usr/bin/chromium ] || services+=(chromium)
missing=("${tools[@]}" "${services[@]}")
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || [ ! -f /etc/debian_version ]; then
    echo "[bootstrap] not installed: ${missing[*]} (as root on Debian this script installs them)" >&2
    exit $((${#tools[@]} > 0)) # missing tools stop here; missing services only skip their tests
fi
echo "[bootstrap] installing ${missing[*]}" >&2
# The packages would start system-wide servers on the standard ports and leave them running; a
# policy-rc.d that answers "no" (101) stops that, as in Docker images. Ours start per test run.
policy=/usr/sbin/policy-rc.d
[ -e $policy ] || { printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy && made=1; }
trap '[ -z "${made:-}" ] || rm -f $policy' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
