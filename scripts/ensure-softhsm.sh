#!/usr/bin/env bash
# Makes sure the test tokens are installed: Debian's softhsm2 (the development and test PKCS#11
# token) and libnss3 (NSS's software token libsoftokn3.so, the second PKCS#11 implementation the
# integration tests run against). Installs them when running as root; otherwise says how and
# fails.
set -euo pipefail
softokn_present() {
  local candidate
  for candidate in /usr/lib/*-linux-gnu/libsoftokn3.so /usr/lib64/libsoftokn3.so /usr/lib/libsoftokn3.so; do
    [ -f "$candidate" ] && return 0
  done
  return 1
}
missing=()
if ! command -v softhsm2-util >/dev/null 2>&1 || [ ! -f /usr/lib/softhsm/libsofthsm2.so ]; then
  missing+=(softhsm2)
fi
softokn_present || missing+=(libnss3)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  echo "==> installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "${missing[*]} missing: run 'sudo apt-get install -y --no-install-recommends ${missing[*]}' and retry" >&2
  exit 1
fi
