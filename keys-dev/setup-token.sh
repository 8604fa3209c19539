#!/usr/bin/env bash
# Creates a fresh SoftHSM token for development and tests, non-interactively, in a private
# directory. Re-runnable: a previous token with the same label in that directory is deleted.
#
# DEVELOPMENT ONLY. The default PINs below are public; never use this token for real keys.
#
# Environment (all optional):
#   STS_HSM_DIR          directory for softhsm2.conf and tokens/   (default: <repo>/.softhsm)
#   STS_HSM_TOKEN_LABEL  token label                                (default: sts-dev)
#   STS_HSM_PIN          user PIN                                   (default: 1234, DEV ONLY)
#   STS_HSM_SO_PIN       security officer PIN                       (default: 12345678, DEV ONLY)
#   STS_HSM_MODULE       PKCS#11 module                             (default: SoftHSM's, found below)
#
# Prints, on stdout only, the exports a caller needs:
#   eval "$(keys-dev/setup-token.sh)"
# Progress and errors go to stderr.
set -euo pipefail

fail() {
  echo "setup-token: $*" >&2
  exit 1
}

script_dir="${BASH_SOURCE[0]%/*}"
[[ "$script_dir" == "${BASH_SOURCE[0]}" ]] && script_dir=.
repo_root="$(cd "$script_dir/.." && pwd)"
hsm_dir="${STS_HSM_DIR:-$repo_root/.softhsm}"
label="${STS_HSM_TOKEN_LABEL:-sts-dev}"
pin="${STS_HSM_PIN:-1234}"           # DEV ONLY default
so_pin="${STS_HSM_SO_PIN:-12345678}" # DEV ONLY default

command -v softhsm2-util >/dev/null 2>&1 ||
  fail "softhsm2-util not found: install SoftHSM 2 (Debian/Ubuntu: apt-get install softhsm2)"

module="${STS_HSM_MODULE:-}"
if [[ -z "$module" ]]; then
  for candidate in /usr/lib/softhsm/libsofthsm2.so \
    /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so \
    /usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so \
    /usr/local/lib/softhsm/libsofthsm2.so; do
    if [[ -f "$candidate" ]]; then
      module="$candidate"
      break
    fi
  done
fi
[[ -n "$module" && -f "$module" ]] ||
  fail "SoftHSM PKCS#11 module not found; set STS_HSM_MODULE to libsofthsm2.so"

[[ ${#label} -ge 1 && ${#label} -le 32 ]] || fail "STS_HSM_TOKEN_LABEL must be 1-32 characters"
[[ ${#pin} -ge 4 ]] || fail "STS_HSM_PIN must be at least 4 characters"
[[ ${#so_pin} -ge 4 ]] || fail "STS_HSM_SO_PIN must be at least 4 characters"

umask 077
mkdir -p "$hsm_dir/tokens"
chmod 700 "$hsm_dir" "$hsm_dir/tokens"
hsm_dir="$(cd "$hsm_dir" && pwd)"
conf="$hsm_dir/softhsm2.conf"
cat >"$conf" <<CONF
# Written by keys-dev/setup-token.sh. DEVELOPMENT ONLY.
directories.tokendir = $hsm_dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF="$conf"

# Delete every earlier token with this label in this directory (there may be more than one
# if an earlier run was interrupted), then create the new one.
for _ in 1 2 3 4 5 6 7 8 9 10; do
  softhsm2-util --delete-token --token "$label" >/dev/null 2>&1 || break
done
softhsm2-util --init-token --free --label "$label" --pin "$pin" --so-pin "$so_pin" >&2 ||
  fail "softhsm2-util could not initialize the token"

echo "setup-token: token '$label' ready in $hsm_dir (DEVELOPMENT ONLY)" >&2
printf 'export SOFTHSM2_CONF=%q\n' "$conf"
printf 'export STS_HSM_MODULE=%q\n' "$module"
printf 'export STS_HSM_TOKEN_LABEL=%q\n' "$label"
printf 'export STS_HSM_PIN=%q\n' "$pin"
