#!/usr/bin/env bash
# GC settings on this machine: the all-in-one API under 32 closed-loop clients for GC_DURATION s, once per variant per
# round, rounds interleaved (the machine may be shared: compare a variant's rounds to see the noise). Prints a table of
# RSS max (MB) and 201/s per run; writes the LoadGen JSON of each run to GC_OUT (default /tmp/payments-gc/<stamp>).
# Every variant runs the same published API (Release, ReadyToRun, as bench/run.sh and the images publish it); a
# variant is only the DOTNET_ environment it adds, which overrides the runtimeconfig the csproj wrote. Loopback only;
# about (GC_DURATION + 12) s per run.
#
#   bash bench/gc-settings.sh                     all variants, 2 rounds
#   GC_ROUNDS=3 GC_VARIANTS=server,workstation bash bench/gc-settings.sh
#   GC_API_DIR=/tmp/api-published bash bench/gc-settings.sh    skip the publish (and the LoadGen build)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

duration=${GC_DURATION:-15}
rounds=${GC_ROUNDS:-2}
clients=${GC_CLIENTS:-32}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${GC_OUT:-/tmp/payments-gc/$stamp}
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

# name=environment (space-separated); the explicit gcServer makes each row independent of the csproj's default.
declare -A variant_env=(
  [server]="DOTNET_gcServer=1"
  [server-conserve]="DOTNET_gcServer=1 DOTNET_GCConserveMemory=7"
  [server-1heap]="DOTNET_gcServer=1 DOTNET_GCHeapCount=1"
  [server-limit160]="DOTNET_gcServer=1 DOTNET_GCHeapHardLimit=0xA000000"
  [workstation]="DOTNET_gcServer=0"
  [workstation-nonconcurrent]="DOTNET_gcServer=0 DOTNET_gcConcurrent=0"
  [workstation-conserve]="DOTNET_gcServer=0 DOTNET_GCConserveMemory=7"
)
order=${GC_VARIANTS:-server,server-conserve,server-1heap,server-limit160,workstation,workstation-nonconcurrent,workstation-conserve}
IFS=, read -ra variants <<<"$order"
for v in "${variants[@]}"; do [[ -n ${variant_env[$v]+x} ]] || { echo "unknown variant $v" >&2; exit 2; }; done

rundir=$(mktemp -d /tmp/payments-gc.XXXXXX)
chmod 711 "$rundir"
mkdir -p "$out"
api_pid=
cleanup() {
  if [[ -n $api_pid ]]; then kill -TERM "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
  bash scripts/postgres.sh stop "$rundir/pg" >/dev/null 2>&1 || true
  rm -rf "$rundir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n ${GC_API_DIR:-} ]]; then # an API published before (the same way), e.g. while the tree is being built
  ln -s "$(realpath "$GC_API_DIR")" "$rundir/api"
else
  echo "gc: publishing the API (Release, ReadyToRun) and building the load generator" >&2
  dotnet publish src/Api -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -p:UseAppHost=false \
    -o "$rundir/api" -nologo -v q >/dev/null
  dotnet build bench/LoadGen -c Release -nologo -v q >/dev/null
fi
loadgen=(dotnet "$root/bench/LoadGen/bin/Release/net10.0/Payments.LoadGen.dll")

pg_port=$(bash scripts/postgres.sh start "$rundir/pg")
cs() { echo "Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$1"; }
key=$(head -c 48 /dev/urandom | base64 -w0)
export ASPNETCORE_ENVIRONMENT=Testing Auth__SigningKey="$key" Payments__FakeGateway__Latency=00:00:00.005 Payments__Role=AllInOne
api_url=http://127.0.0.1:18380

wait_ready() {
  local i
  for ((i = 0; i < 600; i++)); do
    kill -0 "$api_pid" 2>/dev/null || { echo "gc: the API exited during start" >&2; return 1; }
    curl -sf -o /dev/null "$api_url/health/ready" && return 0
    sleep 0.1
  done
  echo "gc: the API was not ready after 60 s" >&2; return 1
}

printf '%-28s %5s %9s %7s %7s %s\n' variant round rss_max_mb 201/s p99_ms load_avg
for ((r = 1; r <= rounds; r++)); do
  for v in "${variants[@]}"; do
    db="gc_${v//-/_}_$r"
    bash scripts/postgres.sh createdb "$rundir/pg" "$db" >/dev/null
    ConnectionStrings__Payments=$(cs "$db") dotnet "$rundir/api/Payments.Api.dll" migrate >"$rundir/migrate.log" 2>&1 ||
      { cat "$rundir/migrate.log" >&2; exit 1; }
    # shellcheck disable=SC2086 # the variant's environment is a list of words
    (cd "$rundir/api" && exec env ${variant_env[$v]} ConnectionStrings__Payments="$(cs "$db")" ASPNETCORE_URLS=$api_url \
      dotnet Payments.Api.dll) >"$out/api-$v-$r.log" 2>&1 &
    api_pid=$!
    wait_ready
    json=$out/$v-$r.json
    "${loadgen[@]}" load --label "$v" --url "$api_url" --db "$(cs "$db")" --key "$key" --levels "$clients" --duration "$duration" \
      --drain-timeout 5 --pids "api=$api_pid" --out "$json" 2>"$out/loadgen-$v-$r.log"
    kill -TERM "$api_pid"; wait "$api_pid" 2>/dev/null || true; api_pid=
    read -r rss rps p99 < <(python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))["levels"][0]
print(l["rss_max_mb"]["api"], l["rps"], l["latency_ms"]["p99"])' "$json")
    printf '%-28s %5s %9s %7s %7s %s\n' "$v" "$r" "$rss" "$rps" "$p99" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done
echo "gc: JSON per run in $out" >&2
