#!/usr/bin/env bash
# Runs the API (all roles in one process) against a throwaway PostgreSQL.
# Listens on http://127.0.0.1:${PAYMENTS_PORT:-5080}; get a token with scripts/dev-token.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null || { echo "dotnet SDK not found on PATH (see global.json for the version)" >&2; exit 1; }
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

mkdir -p .local
key_file=.local/dev-signing-key
if [[ ! -s $key_file ]]; then
  (umask 077; head -c 48 /dev/urandom | base64 -w0 >"$key_file")
  echo "generated a dev signing key in $key_file" >&2
fi
chmod 600 "$key_file"

dotnet build src/Api -c Release

# Under /tmp because the postgres user may not be able to traverse the repo.
pgdir=$(mktemp -d /tmp/payments-run.XXXXXX)
cleanup() {
  bash scripts/postgres.sh stop "$pgdir" || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(bash scripts/postgres.sh start "$pgdir")
bash scripts/postgres.sh createdb "$pgdir" payments

export ConnectionStrings__Payments="Host=127.0.0.1;Port=$port;Username=postgres;Database=payments"
export ASPNETCORE_URLS="http://127.0.0.1:${PAYMENTS_PORT:-5080}"
export ASPNETCORE_ENVIRONMENT=Development
export Auth__SigningKey="$(cat "$key_file")"
export Payments__Role=AllInOne

# --no-launch-profile: launchSettings.json would override the URL and environment above.
dotnet run --project src/Api -c Release --no-build --no-launch-profile -- migrate

echo "API on $ASPNETCORE_URLS (Postgres on 127.0.0.1:$port); Ctrl-C stops both" >&2
# In the background so that a TERM sent to this script (not only Ctrl-C) reaches the API and the cleanup runs.
dotnet run --project src/Api -c Release --no-build --no-launch-profile &
api=$!
trap 'kill -TERM "$api" 2>/dev/null || true' INT TERM
wait "$api" || true
wait "$api" 2>/dev/null || true
