#!/usr/bin/env bash
# `npm test`: install what the tests need (Debian packages, when missing),
# then run every check and test. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  kamailio kamailio-websocket-modules kamailio-tls-modules kamailio-utils-modules
  kamailio-extra-modules kamailio-json-modules rtpengine-daemon sip-tester
  chromium fonts-wqy-microhei iproute2 util-linux postgresql
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "▶ installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # Keep services from starting on install (they would take port 5060/5432);
  # the tests start their own on their own ports.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$created_policy" -eq 0 ] || $SUDO rm -f /usr/sbin/policy-rc.d
fi

step() { echo; echo "▶ $*"; }

step "type-check (src, renderer, tests) and electron/ against Electron's own types"
npx tsc -p tsconfig.json
npx tsc -p electron/tsconfig.json

step "lint, including the layer rule of ARCHITECTURE.md"
npx eslint --max-warnings 0 .

step "build the renderer and the Electron bundle"
npx vite build --logLevel warn
node scripts/build-electron.mjs

step "unit tests"
npx vitest run --project unit

step "server tests (PGlite and a real PostgreSQL)"
npx vitest run --project server

step "end-to-end tests on the real rig, inside a network namespace"
bash tests/e2e/netns.sh npx vitest run --project e2e
