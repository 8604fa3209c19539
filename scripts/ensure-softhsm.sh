#!/usr/bin/env bash
# Makes sure Debian's softhsm2 (the development and test PKCS#11 token) is installed.
# Installs it when running as root; otherwise says how and fails.
set -euo pipefail
if command -v softhsm2-util >/dev/null 2>&1 && [ -f /usr/lib/softhsm/libsofthsm2.so ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  echo "==> installing softhsm2"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends softhsm2 >/dev/null
else
  echo "softhsm2 is missing: run 'sudo apt-get install -y --no-install-recommends softhsm2' and retry" >&2
  exit 1
fi
