#!/usr/bin/env bash
# Builds the PKCS#11 latency and fault shim (test/pkcs11-shim/pkcs11-shim.c), a test fixture
# that forwards every call to SoftHSM after a configurable delay, with the machine's C compiler.
# Rebuilds only when the source is newer than the library. Prints the library's path.
set -euo pipefail
cd "$(dirname "$0")/.."
src=test/pkcs11-shim/pkcs11-shim.c
out=test/pkcs11-shim/build/libsts-pkcs11-shim.so
if [ ! -f "$out" ] || [ "$src" -nt "$out" ]; then
  cc="${CC:-cc}"
  command -v "$cc" >/dev/null 2>&1 || {
    echo "build-pkcs11-shim: no C compiler ($cc); install one (Debian: apt-get install gcc)" >&2
    exit 1
  }
  mkdir -p "$(dirname "$out")"
  "$cc" -O2 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden -o "$out.tmp" "$src" -ldl -lpthread
  mv "$out.tmp" "$out"
fi
echo "$(pwd)/$out"
