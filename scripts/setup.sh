#!/usr/bin/env bash
# Prepares a fresh Debian machine with Node.js 20 for this repository:
#   pnpm (pinned), the workspace dependencies from the lockfile, and with --with-pdns
#   PowerDNS Authoritative 4.7 with the sqlite3 and PostgreSQL backends, and PostgreSQL, from
#   Debian's packages (tests start their own throwaway servers and clusters on loopback; no system
#   service is used).
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]]; then
  echo "setup: installing pnpm $PNPM_VERSION with npm (corepack is not used)"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

if [[ "${1:-}" == "--with-pdns" ]]; then
  pg_server() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; }
  if ! command -v pdns_server >/dev/null 2>&1 && [[ ! -x /usr/sbin/pdns_server ]] \
     || [[ ! -f /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql ]] \
     || [[ ! -f /usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql ]] || ! pg_server \
     || ! command -v sqlite3 >/dev/null 2>&1 || ! command -v dig >/dev/null 2>&1; then
    echo "setup: installing PowerDNS (pdns-server, pdns-backend-sqlite3, pdns-backend-pgsql), PostgreSQL, sqlite3 and dig from Debian"
    SUDO=""; [[ "$(id -u)" == 0 ]] || SUDO="sudo"
    $SUDO apt-get update -qq
    # policy-rc.d keeps the packages from starting a system-wide pdns on port 53 or PostgreSQL
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      pdns-server pdns-backend-sqlite3 pdns-backend-pgsql postgresql sqlite3 dnsutils >/dev/null
    $SUDO rm -f /usr/sbin/policy-rc.d
  fi
fi

pnpm install --frozen-lockfile
