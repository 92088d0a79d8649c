#!/usr/bin/env bash
# Performance benchmark (issue 5), one command from a fresh clone:  bash bench/run.sh
#
# Throwaway PostgreSQL (normal durability), the API in all-in-one mode as its own process, bench/LoadGen at
# 1, 8, 32, 128 clients (+ an open-loop run at half the best end-to-end rate, with webhook delivery latency), pgbench running the API's write
# transaction (bench/api-write.sql) at the same concurrency as the ceiling, a startup probe, the distributed mode
# (API + worker over the SQS/SNS emulator) at 1, 8 and 32 clients. Writes bench/results/{<timestamp>.json,latest.json,
# summary.md,throughput-latency.png}. Everything it starts is stopped on exit, Ctrl-C included. Loopback only.
#
# Knobs: BENCH_DURATION (s per level, 15), BENCH_LEVELS (1,8,32,128), BENCH_DRAIN_TIMEOUT (s to wait for the backlog after a level, 20),
#        BENCH_DISTRIBUTED (1; 0 skips it), BENCH_DIST_LEVELS (1,8,32), BENCH_STARTUP_RUNS (3),
#        BENCH_TRACING (0; 1 adds tracing on vs off, ~2.5 min), BENCH_TRACING_LEVELS (32), BENCH_TRACING_DURATION (s per level, 10),
#        BENCH_BACKLOG (payments the start-on-a-backlog probe starts on, 30000; 0 skips it), BENCH_BACKLOG_TIMEOUT (s, 150).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

duration=${BENCH_DURATION:-15}
levels=${BENCH_LEVELS:-1,8,32,128}
drain_timeout=${BENCH_DRAIN_TIMEOUT:-20}
distributed=${BENCH_DISTRIBUTED:-1}
dist_levels=${BENCH_DIST_LEVELS:-1,8,32}
startup_runs=${BENCH_STARTUP_RUNS:-3}
tracing=${BENCH_TRACING:-0}
tracing_levels=${BENCH_TRACING_LEVELS:-32}
tracing_duration=${BENCH_TRACING_DURATION:-10}
backlog=${BENCH_BACKLOG:-30000}
backlog_timeout=${BENCH_BACKLOG_TIMEOUT:-150}
t0=$(date +%s)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
log() { echo "bench: $(date +%H:%M:%S) $*" >&2; }

command -v dotnet >/dev/null || { echo "dotnet SDK not found on PATH (see global.json)" >&2; exit 1; }
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
if ! command -v gnuplot >/dev/null; then
  [[ $EUID -eq 0 ]] || { echo "gnuplot is missing; run: sudo apt-get install -y gnuplot-nox" >&2; exit 1; }
  log "installing gnuplot-nox with apt-get (for the chart)"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gnuplot-nox; } >/dev/null
fi
command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }

# Under /tmp because the postgres user may not be able to traverse the repo.
rundir=$(mktemp -d /tmp/payments-bench.XXXXXX)
chmod 711 "$rundir"

pids=()
emulator_started=0
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  ((emulator_started)) && { bash scripts/sqs-emulator.sh stop "$rundir/sqs" || true; }
  bash scripts/postgres.sh stop "$rundir/pg" || true
  # Keep the process logs for a look afterwards (outside the repo).
  mkdir -p "/tmp/payments-bench-logs/$stamp" && cp "$rundir"/*.log "$rundir"/*.out "/tmp/payments-bench-logs/$stamp/" 2>/dev/null || true
  rm -rf "$rundir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Published as the container images publish them (Release, ReadyToRun), outside the repo.
log "publishing the API and the worker (Release, ReadyToRun) and building the load generator"
api_dir=$rundir/publish/api
worker_dir=$rundir/publish/worker
for p in api:src/Api worker:src/Workers; do
  dotnet publish "${p#*:}" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -p:UseAppHost=false \
    -o "$rundir/publish/${p%%:*}" -nologo -v q >/dev/null
done
dotnet build bench/LoadGen -c Release -nologo -v q >/dev/null
loadgen=(dotnet "$root/bench/LoadGen/bin/Release/net10.0/Payments.LoadGen.dll")

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p=$1 i
  for ((i = 0; i < 200; i++)); do port_in_use "$p" || { echo "$p"; return 0; }; p=$((p + 1)); done
  return 1
}
wait_ready() { # url pid
  local i
  for ((i = 0; i < 600; i++)); do
    kill -0 "$2" 2>/dev/null || { log "process $2 exited during start"; return 1; }
    curl -sf -o /dev/null "$1/health/ready" && return 0
    sleep 0.1
  done
  log "$1 not ready after 60 s"; return 1
}
# Foreground work runs in the background + wait, so that a TERM/INT reaches the trap at once and the cleanup stops it.
run_child() {
  "$@" &
  local p=$! rc=0
  pids+=("$p")
  wait "$p" || rc=$?
  forget_pid "$p"
  return "$rc"
}
forget_pid() { local keep=() p; for p in "${pids[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done; pids=("${keep[@]}"); }

log "starting PostgreSQL (normal durability)"
pg_port=$(bash scripts/postgres.sh start "$rundir/pg")
cs() { echo "Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$1"; }
for db in payments ceiling payments_dist; do
  bash scripts/postgres.sh createdb "$rundir/pg" "$db"
  ConnectionStrings__Payments=$(cs "$db") dotnet "$api_dir/Payments.Api.dll" migrate >"$rundir/migrate-$db.log" 2>&1 ||
    { cat "$rundir/migrate-$db.log" >&2; exit 1; }
done

signing_key=$(head -c 48 /dev/urandom | base64 -w0)
# "Testing": the only environment besides Development that accepts a local HS256 key, without Development's DI scope validation.
export ASPNETCORE_ENVIRONMENT=Testing Auth__SigningKey="$signing_key" Payments__FakeGateway__Latency=00:00:00.005
# The load generator's webhook receiver listens on loopback over http, which production refuses.
export Webhooks__AllowHttp=true Webhooks__AllowedNetworks__0=127.0.0.0/8

# ---- all-in-one ---------------------------------------------------------------------------------------------
api_port=$(free_port 18080)
api_url=http://127.0.0.1:$api_port
log "all-in-one API on $api_url"
(cd "$api_dir" && ConnectionStrings__Payments=$(cs payments) ASPNETCORE_URLS=$api_url Payments__Role=AllInOne exec dotnet Payments.Api.dll) \
  >"$rundir/api-allinone.log" 2>&1 &
api_pid=$!
pids+=("$api_pid")
wait_ready "$api_url" "$api_pid"

run_child "${loadgen[@]}" load --label all-in-one --url "$api_url" --db "$(cs payments)" --key "$signing_key" --levels "$levels" \
  --duration "$duration" --drain-timeout "$drain_timeout" --pids "api=$api_pid" --half-rate-after 8 --half-drain-timeout 60 \
  --webhook-port "$(free_port $((api_port + 100)))" --out "$rundir/allinone.json"
stop_pid "$api_pid"; forget_pid "$api_pid"

# ---- pgbench ceiling (its own database, so that no API ever delivers its outbox rows) ----------------------------
log "pgbench ceiling: bench/api-write.sql, -M prepared, $duration s per level"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV | head -1)
pgbench=$pg_bin/pgbench; [[ -x $pgbench ]] || pgbench=$(command -v pgbench)
echo "# clients tps avg_ms p50_ms p99_ms transactions failed" >"$rundir/pgbench.tsv"
IFS=, read -ra level_list <<<"$levels"
for c in "${level_list[@]}"; do
  j=$((c < 2 ? 1 : 2))
  mkdir -p "$rundir/pgb$c"
  run_child bash -c 'cd "$1" && shift && exec "$@"' _ "$rundir/pgb$c" "$pgbench" -n -M prepared -c "$c" -j "$j" -T "$duration" -l -f "$root/bench/api-write.sql" \
    -h 127.0.0.1 -p "$pg_port" -U postgres ceiling >"$rundir/pgbench-$c.out" 2>&1 || { cat "$rundir/pgbench-$c.out" >&2; exit 1; }
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$rundir/pgbench-$c.out")
  avg=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$rundir/pgbench-$c.out")
  n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$rundir/pgbench-$c.out")
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$rundir/pgbench-$c.out")
  # Per-transaction log: column 3 is the latency in microseconds.
  read -r p50 p99 < <(cat "$rundir/pgb$c"/pgbench_log.* | awk '{print $3}' | sort -n |
    awk '{a[NR]=$1} END {i50=int(NR*0.50+0.999); i99=int(NR*0.99+0.999); if (i50<1) i50=1; if (i99<1) i99=1; printf "%.3f %.3f\n", a[i50]/1000, a[i99]/1000}')
  rm -rf "$rundir/pgb$c"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$tps" "$avg" "$p50" "$p99" "$n" "${failed:-0}" >>"$rundir/pgbench.tsv"
  log "  pgbench c=$c tps=$tps avg=${avg}ms p50=${p50}ms p99=${p99}ms"
done

# ---- startup: a second, short-lived all-in-one process, start -> first 201 ------------------------------------
log "startup probe ($startup_runs runs)"
startup_port=$(free_port $((api_port + 1)))
ConnectionStrings__Payments=$(cs payments) Payments__Role=AllInOne \
  run_child "${loadgen[@]}" startup --dll "$api_dir/Payments.Api.dll" --port "$startup_port" --key "$signing_key" --runs "$startup_runs" \
  --out "$rundir/startup.json" || log "startup probe did not get a 201 on every run"

report_args=()

# ---- start on a backlog: an all-in-one process on N PENDING payments, time to the first and the median terminal one ----
if ((backlog > 0)); then
  log "start on a backlog of $backlog payments (at most $backlog_timeout s)"
  bash scripts/postgres.sh createdb "$rundir/pg" payments_backlog
  ConnectionStrings__Payments=$(cs payments_backlog) dotnet "$api_dir/Payments.Api.dll" migrate >"$rundir/migrate-payments_backlog.log" 2>&1 ||
    { cat "$rundir/migrate-payments_backlog.log" >&2; exit 1; }
  if run_child "${loadgen[@]}" backlog-start --dll "$api_dir/Payments.Api.dll" --port "$startup_port" --db "$(cs payments_backlog)" --key "$signing_key" \
    --count "$backlog" --timeout "$backlog_timeout" --out "$rundir/backlog.json"; then
    report_args+=(--backlog "$rundir/backlog.json")
  else
    log "start-on-a-backlog probe did not finish"; [[ -f $rundir/backlog.json ]] && report_args+=(--backlog "$rundir/backlog.json")
  fi
fi

# ---- tracing on vs off: OTLP export to a loopback sink that discards, the default (no exporter), OTEL_SDK_DISABLED ----
if [[ $tracing == 1 ]]; then
  log "tracing on vs off: startup ($startup_runs runs each) and all-in-one at $tracing_levels clients, each on a fresh database"
  mkdir -p "$rundir/tracing"
  sink_port=$(free_port $((api_port + 3)))
  "${loadgen[@]}" otlp-sink --port "$sink_port" --out "$rundir/tracing/sink.json" >"$rundir/otlp-sink.log" 2>&1 &
  sink_pid=$!
  pids+=("$sink_pid")
  otlp_env=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink_port" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)
  for variant in on sdk-off; do
    [[ $variant == on ]] && extra=("${otlp_env[@]}") || extra=(OTEL_SDK_DISABLED=true)
    run_child env "${extra[@]}" ConnectionStrings__Payments="$(cs payments)" Payments__Role=AllInOne \
      "${loadgen[@]}" startup --dll "$api_dir/Payments.Api.dll" --port "$startup_port" --key "$signing_key" --runs "$startup_runs" \
      --out "$rundir/tracing/startup-$variant.json" || log "startup probe ($variant) did not get a 201 on every run"
  done
  for variant in off on sdk-off; do
    case $variant in on) extra=("${otlp_env[@]}") ;; sdk-off) extra=(OTEL_SDK_DISABLED=true) ;; *) extra=() ;; esac
    db=tracing_${variant//-/_}
    bash scripts/postgres.sh createdb "$rundir/pg" "$db"
    ConnectionStrings__Payments=$(cs "$db") dotnet "$api_dir/Payments.Api.dll" migrate >"$rundir/migrate-$db.log" 2>&1 ||
      { cat "$rundir/migrate-$db.log" >&2; exit 1; }
    (cd "$api_dir" && exec env "${extra[@]}" ConnectionStrings__Payments="$(cs "$db")" ASPNETCORE_URLS="$api_url" Payments__Role=AllInOne \
      dotnet Payments.Api.dll) >"$rundir/api-tracing-$variant.log" 2>&1 &
    tracing_pid=$!
    pids+=("$tracing_pid")
    wait_ready "$api_url" "$tracing_pid"
    run_child "${loadgen[@]}" load --label "tracing-$variant" --url "$api_url" --db "$(cs "$db")" --key "$signing_key" --levels "$tracing_levels" \
      --duration "$tracing_duration" --drain-timeout "$drain_timeout" --pids "api=$tracing_pid" --out "$rundir/tracing/load-$variant.json"
    stop_pid "$tracing_pid"; forget_pid "$tracing_pid"
  done
  stop_pid "$sink_pid"; forget_pid "$sink_pid"
  report_args+=(--tracing "$rundir/tracing")
fi

# ---- distributed: API (Role=Api) + worker over the SQS/SNS emulator, 1/8/32 clients --------------------------------
if [[ $distributed == 1 ]]; then
  log "distributed mode: starting the SQS/SNS emulator"
  emulator_started=1
  sqs_port=$(bash scripts/sqs-emulator.sh start "$rundir/sqs")
  dist_env=(ConnectionStrings__Payments="$(cs payments_dist)" Messaging__Transport=AmazonSqs
    Messaging__AmazonSqs__ServiceUrl="http://127.0.0.1:$sqs_port" Messaging__AmazonSqs__AutoProvision=true)
  (cd "$worker_dir" && exec env "${dist_env[@]}" dotnet Payments.Workers.dll) >"$rundir/worker.log" 2>&1 &
  worker_pid=$!
  pids+=("$worker_pid")
  dist_port=$(free_port $((api_port + 2)))
  dist_url=http://127.0.0.1:$dist_port
  (cd "$api_dir" && exec env "${dist_env[@]}" ASPNETCORE_URLS="$dist_url" Payments__Role=Api dotnet Payments.Api.dll) >"$rundir/api-dist.log" 2>&1 &
  dist_api_pid=$!
  pids+=("$dist_api_pid")
  wait_ready "$dist_url" "$dist_api_pid"
  sleep 2 # the worker provisions queues and subscriptions concurrently; give its receivers a moment
  kill -0 "$worker_pid" 2>/dev/null || { tail -n 30 "$rundir/worker.log" >&2; exit 1; }
  if run_child "${loadgen[@]}" load --label distributed --url "$dist_url" --db "$(cs payments_dist)" --key "$signing_key" --levels "$dist_levels" \
    --sqs-url "http://127.0.0.1:$sqs_port" --sqs-queues payment-state,charge-payment,reconcile-charge \
    --duration "$duration" --drain-timeout 30 --pids "api=$dist_api_pid,worker=$worker_pid" --out "$rundir/dist.json"; then
    report_args+=(--dist "$rundir/dist.json")
  else
    log "distributed run failed; worker log tail:"; tail -n 30 "$rundir/worker.log" >&2
  fi
  stop_pid "$dist_api_pid"; forget_pid "$dist_api_pid"
  stop_pid "$worker_pid"; forget_pid "$worker_pid"
fi

# ---- report ---------------------------------------------------------------------------------------------------
mkdir -p bench/results
[[ -f $rundir/startup.json ]] && report_args+=(--startup "$rundir/startup.json")
"${loadgen[@]}" report --stamp "$stamp" --commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --total-s "$(($(date +%s) - t0))" --allinone "$rundir/allinone.json" --pgbench "$rundir/pgbench.tsv" "${report_args[@]}" \
  --out-dir bench/results --chart-data "$rundir/chart.dat"
gnuplot -e "datafile='$rundir/chart.dat'; outfile='bench/results/throughput-latency.png'" bench/chart.gp
log "done in $(($(date +%s) - t0)) s: bench/results/summary.md, latest.json, $stamp.json, throughput-latency.png"
