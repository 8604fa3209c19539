#!/usr/bin/env bash
# One command from a fresh clone to a running key service (DEVELOPMENT ONLY):
# installs dependencies if needed, builds, creates a dev SoftHSM token (keys-dev/setup-token.sh)
# and an SQLite database under .data/, applies migrations, runs the installation ceremony on the
# first run (two admins, two officers, two custodians and an auditor, each with an enrolment key
# printed once: exchange it at POST /api/v1/principals/me/api-key), prints the /console and
# /docs addresses,
# then runs the service in the foreground.
#
# Environment (all optional): STS_DATA_DIR (default .data), STS_HSM_DIR (default .softhsm),
# PORT (default 3000), HOST (default 127.0.0.1). Start over: rm -rf .data .softhsm
set -euo pipefail

repo="$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)"
cd "$repo"

bash scripts/ensure-softhsm.sh
[[ -d node_modules ]] || npm ci
npm run build --silent

export STS_DATA_DIR="${STS_DATA_DIR:-$repo/.data}"
export STS_HSM_DIR="${STS_HSM_DIR:-$repo/.softhsm}"
export STS_SOFTHSM_INIT=1
export PORT="${PORT:-3000}"
export HOST="${HOST:-127.0.0.1}"

if [[ ! -f "$STS_HSM_DIR/token.env" && -f "$STS_DATA_DIR/key-service.sqlite" ]]; then
  echo "dev: $STS_DATA_DIR holds a database whose keys were in a token that is gone;" >&2
  echo "dev: remove $STS_DATA_DIR (rm -rf) to start over with a fresh token" >&2
  exit 1
fi

docker/entrypoint.sh migrate
docker/entrypoint.sh bootstrap-admin --admin admin --admin admin-2 \
  --officer officer-1 --officer officer-2 --custodian custodian-1 --custodian custodian-2 \
  --auditor auditor
echo "dev: exchange an enrolment key for your own: curl -X POST -H 'Authorization: Bearer <key>' http://$HOST:$PORT/api/v1/principals/me/api-key"
echo "dev: console at http://$HOST:$PORT/console (sign in with your own key, after the exchange above)"
echo "dev: API documentation at http://$HOST:$PORT/docs (health: http://$HOST:$PORT/health)"
exec docker/entrypoint.sh serve
