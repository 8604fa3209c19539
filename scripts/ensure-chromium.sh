#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the console's browser tests (playwright-core
# drives /usr/bin/chromium; Playwright never downloads a browser). Installs it when running as
# root; otherwise says how and fails.
set -euo pipefail
if [ -x "${STS_CHROMIUM:-/usr/bin/chromium}" ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  echo "==> installing chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
else
  echo "chromium missing: run 'sudo apt-get install -y --no-install-recommends chromium' and retry" >&2
  exit 1
fi
