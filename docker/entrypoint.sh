#!/usr/bin/env bash
# Entry point of the key-service image, also run as-is outside Docker (scripts/dev.sh calls it).
#
#   serve              apply migrations, then start the HTTP service (the default)
#   migrate            apply migrations only
#   bootstrap-admin    the installation ceremony: the first admins, officers, custodians and
#                      auditors (--admin NAME ...), each enrolment key printed once
#   verify-audit ...   verify an audit export offline (see docs/api.md)
#   <anything else>    passed to the key-service CLI
#
# When STS_SOFTHSM_INIT=1 and no token labelled $STS_HSM_TOKEN_LABEL exists yet in
# $STS_HSM_DIR, a SoftHSM token is created there first with keys-dev/setup-token.sh
# (DEVELOPMENT AND DEMO ONLY: production points STS_HSM_MODULE at a real HSM's module).
# The token's settings are kept in $STS_HSM_DIR/token.env for later starts. A PIN given in
# STS_HSM_PIN or STS_HSM_PIN_FILE (compose, a secret store) is never written there, and it wins over a PIN in the
# file; only the DEV default PIN that setup-token.sh picks when none is given is kept, so that
# scripts/dev.sh finds it again.
set -euo pipefail

app_dir="${STS_APP_DIR:-$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)}"
cli="$app_dir/apps/key-service/dist/cli.js"
main="$app_dir/apps/key-service/dist/main.js"

# Drops the PIN line from the exports setup-token.sh printed (stdin to stdout).
without_pin() {
  sed '/^export STS_HSM_PIN=/d'
}

if [[ "${STS_SOFTHSM_INIT:-0}" == "1" ]]; then
  hsm_dir="${STS_HSM_DIR:?STS_HSM_DIR is required when STS_SOFTHSM_INIT=1}"
  env_file="$hsm_dir/token.env"
  given_pin="${STS_HSM_PIN:-}"
  if [[ -z "$given_pin" && -n "${STS_HSM_PIN_FILE:-}" ]]; then
    given_pin="$(<"$STS_HSM_PIN_FILE")"
  fi
  saved_umask="$(umask)"
  umask 077 # token.env may hold the DEV PIN: readable by this user only
  if [[ ! -f "$env_file" ]]; then
    mkdir -p "$hsm_dir"
    # setup-token.sh prints the exports; keep them beside the token, the PIN only when it is
    # the DEV default (none was given).
    if [[ -n "$given_pin" ]]; then
      STS_HSM_DIR="$hsm_dir" STS_HSM_PIN="$given_pin" "$app_dir/keys-dev/setup-token.sh" |
        without_pin >"$env_file.tmp"
    else
      STS_HSM_DIR="$hsm_dir" "$app_dir/keys-dev/setup-token.sh" >"$env_file.tmp"
    fi
    mv "$env_file.tmp" "$env_file"
  elif [[ -n "$given_pin" ]] && grep -q '^export STS_HSM_PIN=' "$env_file"; then
    # An earlier version of this script stored the given PIN too: remove that copy.
    # shellcheck disable=SC1090
    stored_pin="$(
      unset STS_HSM_PIN
      source "$env_file"
      printf '%s' "${STS_HSM_PIN:-}"
    )"
    if [[ "$stored_pin" == "$given_pin" ]]; then
      without_pin <"$env_file" >"$env_file.tmp"
      mv "$env_file.tmp" "$env_file"
      echo "entrypoint: removed the token PIN from $env_file (it comes from STS_HSM_PIN)" >&2
    fi
    unset stored_pin
  fi
  umask "$saved_umask"
  # shellcheck disable=SC1090
  source "$env_file"
  if [[ -n "${STS_HSM_PIN_FILE:-}" ]]; then
    unset STS_HSM_PIN # the service reads the PIN from the file
  elif [[ -n "$given_pin" ]]; then
    export STS_HSM_PIN="$given_pin"
  fi
  unset given_pin
fi

case "${1:-serve}" in
  serve)
    node "$cli" migrate
    exec node "$main"
    ;;
  *)
    exec node "$cli" "$@"
    ;;
esac
