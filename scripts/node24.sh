#!/usr/bin/env bash
# Runs the test suite on Node.js 24: sid's `nodejs`, inside the sid root that scripts/pdns-roots.sh
# builds. The repository is bind-mounted into the root and its node_modules are used as they are
# (installed by the host's pnpm). Inside the root, tests start the root's PowerDNS (5.x).
# Left out: test/dockerfile.test.ts, which needs pnpm (not in the root) to deploy the webhook for
# its Node.js 20 image.
#
# Usage: scripts/node24.sh [vitest arguments…]   e.g. --reporter=json --outputFile.json=reports/x.json
# Needs root (mount, chroot). Unmounts everything it mounted, also on failure or Ctrl-C.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

line="$(bash "$repo/scripts/pdns-roots.sh" sid)"
root="${line#*=}"
root="${root%% *}"

mnt="/mnt/openova-repo-$$"
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true; done
  rmdir "$root$mnt" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bind() { # bind SOURCE at the same path inside the root (read-only with ro)
  local source="$1" target="$root$2"
  if [[ -d "$source" ]]; then mkdir -p "$target"; else mkdir -p "$(dirname "$target")" && touch "$target"; fi
  mount --bind "$source" "$target" && mounted+=("$target")
  if [[ "${3:-}" == ro ]]; then mount -o remount,bind,ro "$target"; fi
}
mkdir -p "$root$mnt"
bind "$repo" "$mnt"
if ! mountpoint -q "$root/proc"; then mount -t proc proc "$root/proc" && mounted+=("$root/proc"); fi
echo "node24: $(chroot "$root" node --version) in $root, PowerDNS $(sed -n 1p "$root/.ready")" >&2
# no `exec`: the trap must unmount afterwards
status=0
chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root CI="${CI:-}" TMPDIR=/tmp \
  sh -c 'cd "$1" && shift && exec node node_modules/vitest/vitest.mjs run "$@"' sh "$mnt" \
  --exclude test/dockerfile.test.ts "$@" || status=$?
exit "$status"
