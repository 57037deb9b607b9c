#!/usr/bin/env bash
# Builds Debian roots holding newer PowerDNS releases, for the provider's version matrix:
#   trixie → pdns-server 4.9.x
#   sid    → pdns-server 5.x and nodejs 24 (the suite also runs on Node.js 24 from this root)
# Tests run them with `chroot ROOT pdns_server …` on the shared loopback network (see
# `startPowerDns({ root })` and the PDNS_ROOT variable).
#
# Usage: scripts/pdns-roots.sh [trixie] [sid]   (default: both)
# Roots go to $PDNS_ROOTS_DIR (default /var/cache/openova-dns/roots) and are reused when present:
# a root is complete only once its `.ready` marker is written, so an interrupted build starts over.
# Prints one `SUITE=DIR VERSION` line per root. Needs root (debootstrap, chroot).
set -euo pipefail

CACHE="${PDNS_ROOTS_DIR:-/var/cache/openova-dns/roots}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suites=("$@")
[[ ${#suites[@]} -gt 0 ]] || suites=(trixie sid)

if [[ "$(id -u)" != 0 ]]; then
  echo "pdns-roots: needs root (debootstrap and chroot)" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "pdns-roots: installing debootstrap" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
mkdir -p "$CACHE"

packages_for() {
  case "$1" in
    sid) echo "pdns-server,pdns-backend-sqlite3,pdns-backend-pgsql,sqlite3,nodejs" ;;
    *) echo "pdns-server,pdns-backend-sqlite3,pdns-backend-pgsql,sqlite3" ;;
  esac
}

# debootstrap scripts for newer suites are the sid script under another name
script_for() {
  local dir=/usr/share/debootstrap/scripts
  if [[ -e "$dir/$1" ]]; then echo "$dir/$1"; else echo "$dir/sid"; fi
}

# Packages added with apt-get inside the root, also to a root built before they joined the list:
# the PostgreSQL backend (both roots) and PostgreSQL itself (sid, where the whole suite runs on
# Node.js 24 and starts its own PostgreSQL inside the root).
top_up() {
  local suite="$1" root="$2" missing=()
  [[ -e "$root/usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql" ]] || missing+=(pdns-backend-pgsql)
  if [[ "$suite" == sid ]] && ! chroot "$root" dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q 'ok installed'; then
    missing+=(postgresql)
  fi
  [[ ${#missing[@]} -gt 0 ]] || return 0
  echo "pdns-roots: adding ${missing[*]} to $root" >&2
  # a root's lists may be older than its Release file's validity; the install still works then
  chroot "$root" apt-get -o Acquire::Check-Valid-Until=false update -qq >&2 || true
  # postgresql-common's set-up needs /proc
  local proc=0 status=0
  if ! mountpoint -q "$root/proc"; then mount -t proc proc "$root/proc" && proc=1; fi
  DEBIAN_FRONTEND=noninteractive chroot "$root" dpkg --configure -a >&2 || true
  DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null 2>&1 || status=$?
  [[ $proc == 1 ]] && umount "$root/proc"
  rm -rf "$root"/var/cache/apt/archives/*.deb
  [[ $status == 0 ]] || echo "pdns-roots: installing ${missing[*]} in $root failed" >&2
  return $status
}

build() {
  local suite="$1" root="$CACHE/$1"
  if [[ -f "$root/.ready" ]]; then
    top_up "$suite" "$root"
    return
  fi
  echo "pdns-roots: building $suite in $root (debootstrap, about 90 s)" >&2
  # never delete through a mount (scripts/node24.sh bind-mounts the repository into the root)
  if grep -qF " $root" /proc/mounts; then
    echo "pdns-roots: something is mounted under $root; unmount it first" >&2
    return 1
  fi
  rm -rf --one-file-system "$root" "$root.tmp"
  mkdir -p "$root.tmp/usr/sbin"
  # No service may start inside the root while packages install (pdns on port 53 would).
  printf '#!/bin/sh\nexit 101\n' >"$root.tmp/usr/sbin/policy-rc.d"
  chmod +x "$root.tmp/usr/sbin/policy-rc.d"
  local started=$SECONDS
  if ! debootstrap --variant=minbase --include="$(packages_for "$suite")" \
    "$suite" "$root.tmp" "$MIRROR" "$(script_for "$suite")" >"$CACHE/$suite.log" 2>&1; then
    echo "pdns-roots: debootstrap $suite failed; last lines of $CACHE/$suite.log:" >&2
    tail -n 20 "$CACHE/$suite.log" >&2
    return 1
  fi
  # keep the policy (later apt runs in the root start nothing either); drop the package cache
  printf '#!/bin/sh\nexit 101\n' >"$root.tmp/usr/sbin/policy-rc.d"
  chmod +x "$root.tmp/usr/sbin/policy-rc.d"
  rm -rf "$root.tmp"/var/cache/apt/archives/*.deb
  # PostgreSQL (sid) is installed after debootstrap: its set-up needs /proc, which top_up mounts
  top_up "$suite" "$root.tmp" || return 1
  mv "$root.tmp" "$root"
  version_of "$root" >"$root/.ready"
  echo "pdns-roots: $suite built in $((SECONDS - started)) s" >&2
}

version_of() {
  chroot "$1" /usr/sbin/pdns_server --version 2>&1 | sed -n 's/.*PowerDNS Authoritative Server \([^ ]*\).*/\1/p' | head -n 1
}

status=0
for suite in "${suites[@]}"; do
  if build "$suite"; then
    echo "$suite=$CACHE/$suite $(version_of "$CACHE/$suite")"
  else
    status=1
  fi
done
exit $status
