#!/usr/bin/env bash
# Runs the system against a throwaway PostgreSQL; get a token with scripts/dev-token.sh.
#
#   scripts/run.sh               all-in-one: API, saga and gateway worker in one process, in-memory transport
#   scripts/run.sh distributed   API and worker as separate processes over SQS/SNS (a local emulator, 127.0.0.1 only)
#
# The API listens on http://127.0.0.1:${PAYMENTS_PORT:-5080}. Ctrl-C (or TERM) stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-all-in-one}
[[ $mode == all-in-one || $mode == distributed ]] || { echo "usage: scripts/run.sh [distributed]" >&2; exit 2; }

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
# The worker is a host of its own: nothing references it, so building the API does not build it.
[[ $mode == distributed ]] && dotnet build src/Workers -c Release

# Under /tmp because the postgres user may not be able to traverse the repo.
rundir=$(mktemp -d /tmp/payments-run.XXXXXX)
chmod 711 "$rundir"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ $mode == distributed ]] && { bash scripts/sqs-emulator.sh stop "$rundir" || true; }
  bash scripts/postgres.sh stop "$rundir" || true
  rm -rf "$rundir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(bash scripts/postgres.sh start "$rundir")
bash scripts/postgres.sh createdb "$rundir" payments

export ConnectionStrings__Payments="Host=127.0.0.1;Port=$port;Username=postgres;Database=payments"
export ASPNETCORE_URLS="http://127.0.0.1:${PAYMENTS_PORT:-5080}"
export ASPNETCORE_ENVIRONMENT=Development
export Auth__SigningKey="$(cat "$key_file")"

# --no-launch-profile: launchSettings.json would override the URL and environment above.
dotnet run --project src/Api -c Release --no-build --no-launch-profile -- migrate

if [[ $mode == distributed ]]; then
  sqs_port=$(bash scripts/sqs-emulator.sh start "$rundir")
  export Messaging__Transport=AmazonSqs
  export Messaging__AmazonSqs__ServiceUrl="http://127.0.0.1:$sqs_port"
  export Messaging__AmazonSqs__AutoProvision=true
  export Payments__Role=Api
  # Both processes provision the (same, idempotent) queues and subscriptions at start-up.
  dotnet run --project src/Workers -c Release --no-build --no-launch-profile &
  pids+=($!)
  echo "worker started; SQS/SNS emulator on 127.0.0.1:$sqs_port" >&2
else
  export Payments__Role=AllInOne
fi

echo "API on $ASPNETCORE_URLS ($mode; Postgres on 127.0.0.1:$port); Ctrl-C stops everything" >&2
# In the background so that a TERM sent to this script (not only Ctrl-C) reaches the processes and the cleanup runs.
dotnet run --project src/Api -c Release --no-build --no-launch-profile &
pids+=($!)
trap 'exit 130' INT TERM
wait -n "${pids[@]}" || true
