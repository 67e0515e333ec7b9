#!/usr/bin/env bash
# Run a command inside a fresh network namespace with only `lo` up, so nothing
# the telephony rig does leaves loopback and its ports never clash with anything
# else on the machine. Needs root (or CAP_SYS_ADMIN); we are root on our machines.
#
#   bash tests/e2e/netns.sh npx vitest run --project e2e tests/e2e/rig.test.ts
#
# Already inside (QINGYU_NETNS=1)? Then the command is just exec'd.
# The exit code is the command's.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: bash tests/e2e/netns.sh <command> [args…]" >&2
  exit 2
fi

if [ "${QINGYU_NETNS:-}" = "1" ]; then
  exec "$@"
fi

if ! command -v unshare >/dev/null 2>&1; then
  echo "netns.sh: unshare (util-linux) is not installed" >&2
  exit 1
fi

export QINGYU_NETNS=1
# The inner shell brings lo up (a new namespace starts with lo down), checks
# that nothing but lo exists, then execs the command.
exec unshare --net -- bash -c '
  set -e
  if command -v ip >/dev/null 2>&1; then
    ip link set lo up
  else
    echo "netns.sh: iproute2 (ip) is not installed" >&2
    exit 1
  fi
  exec "$@"
' netns.sh "$@"
