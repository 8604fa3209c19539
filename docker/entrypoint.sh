#!/usr/bin/env bash
# Entry point of the key-service image, also run as-is outside Docker (scripts/dev.sh calls it).
#
#   serve              apply migrations, then start the HTTP service (the default)
#   migrate            apply migrations only
#   bootstrap-admin    fresh install: create the first admin and print its API key once
#   verify-audit ...   verify an audit export offline (see docs/api.md)
#   <anything else>    passed to the key-service CLI
#
# When STS_SOFTHSM_INIT=1 and no token labelled $STS_HSM_TOKEN_LABEL exists yet in
# $STS_HSM_DIR, a SoftHSM token is created there first with keys-dev/setup-token.sh
# (DEVELOPMENT AND DEMO ONLY: production points STS_HSM_MODULE at a real HSM's module).
set -euo pipefail

app_dir="${STS_APP_DIR:-$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)}"
cli="$app_dir/apps/key-service/dist/cli.js"
main="$app_dir/apps/key-service/dist/main.js"

if [[ "${STS_SOFTHSM_INIT:-0}" == "1" ]]; then
  hsm_dir="${STS_HSM_DIR:?STS_HSM_DIR is required when STS_SOFTHSM_INIT=1}"
  env_file="$hsm_dir/token.env"
  if [[ ! -f "$env_file" ]]; then
    mkdir -p "$hsm_dir"
    # setup-token.sh prints the exports; keep them (DEV PIN included) beside the token.
    STS_HSM_DIR="$hsm_dir" "$app_dir/keys-dev/setup-token.sh" >"$env_file.tmp"
    mv "$env_file.tmp" "$env_file"
  fi
  # shellcheck disable=SC1090
  source "$env_file"
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
