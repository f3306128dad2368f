#!/usr/bin/env bash
# Installs the system programs the test suites use, when missing: a real Firefox (the Web Push
# end-to-end test), Chromium (the server's page test), PostgreSQL (the server's store suite) and
# Redis (the server's queue mode).
# Test suites start their own throwaway instances on 127.0.0.1; nothing here keeps running.
# As root it installs with apt-get; otherwise it says exactly what to install and carries on
# (the suites that need a missing program then fail with the same hint).
set -euo pipefail

declare -A need=(
  [firefox-esr]=/usr/bin/firefox-esr
  [chromium]=/usr/bin/chromium
  [postgresql]=/usr/lib/postgresql
  [redis-server]=/usr/bin/redis-server
)
missing=()
for pkg in "${!need[@]}"; do
  [ -e "${need[$pkg]}" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[test-services] installing ${missing[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Services must not start from the package scripts: the suites start their own.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "[test-services] missing: ${missing[*]} — install them (e.g. sudo apt-get install -y ${missing[*]}); the suites that need them will fail until then" >&2
fi
