#!/usr/bin/env bash
# Throwaway SQS + SNS emulator (fauxqs, tools/sqs-emulator) for tests and local runs, on 127.0.0.1 only.
#
#   scripts/sqs-emulator.sh start <dir> [port]   start it (port 0 or omitted = a free port), print its port
#   scripts/sqs-emulator.sh stop <dir>           stop it (idempotent); the caller removes <dir>
#
# Files in <dir>: sqs.log (its output), sqs.pid, sqs.port.
# Client: ServiceURL=http://127.0.0.1:<port>, AuthenticationRegion=us-east-1, any credentials.
set -euo pipefail

log() { echo "sqs-emulator.sh: $*" >&2; }
die() { log "$*"; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
app=$root/tools/sqs-emulator

ensure_node() {
  command -v node >/dev/null && command -v npm >/dev/null ||
    die "node and npm are required (Node 20 or newer); on Debian: apt-get install -y nodejs npm"
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [[ $major -ge 20 ]] || die "Node $(node --version) is too old; fauxqs 1.9.2 needs Node 20 or newer"
}

# npm ci when node_modules is missing or older than the lock file. Serialised: parallel starts share one folder.
ensure_deps() {
  local stamp=$app/node_modules/.package-lock.json
  [[ -f $stamp && ! $app/package-lock.json -nt $stamp ]] && return 0
  local lock=/tmp/payments-sqs-emulator-npm.lock
  touch "$lock" 2>/dev/null || true
  exec 8<"$lock"
  flock 8
  if [[ ! -f $stamp || $app/package-lock.json -nt $stamp ]]; then
    log "installing emulator dependencies (npm ci --prefix tools/sqs-emulator)"
    npm ci --prefix "$app" --no-audit --no-fund --loglevel=error >&2 8<&- || die "npm ci failed in $app"
    touch "$stamp"
  fi
  exec 8<&-
}

# True when GET /health on the port answers 200.
healthy() (
  local status
  exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
  printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  IFS= read -r -t 2 status <&3 || exit 1
  [[ $status == "HTTP/1.1 200"* ]]
) 2>/dev/null

# A process that exited but is not yet reaped (a zombie, when init reaps slowly) counts as gone.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local stat; stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# PID from <dir>/sqs.pid if that process is still our server (a stale file may name a reused PID).
running_pid() {
  local dir=$1 pid
  [[ -f $dir/sqs.pid ]] || return 1
  pid=$(cat "$dir/sqs.pid")
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  local cmdline; cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *server.mjs* ]] || return 1
  echo "$pid"
}

cmd_start() {
  local dir=${1:?usage: sqs-emulator.sh start <dir> [port]} want=${2:-0}
  [[ $want =~ ^[0-9]+$ ]] || die "invalid port: $want"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if running_pid "$dir" >/dev/null; then die "already running in $dir (pid $(cat "$dir/sqs.pid"))"; fi
  ensure_node
  ensure_deps
  rm -f "$dir/sqs.port" "$dir/sqs.pid"

  # stdout/stderr go to the log, never to our caller: a $(...) around this script must not wait for the server.
  (cd "$app" && exec node server.mjs "$want") </dev/null >"$dir/sqs.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/sqs.pid"

  # server.mjs prints the bound port on a line of its own once it listens, then /health must answer.
  local port="" tries=0
  while :; do
    alive "$pid" || { tail -n 20 "$dir/sqs.log" >&2 || true; rm -f "$dir/sqs.pid"; die "emulator exited during start"; }
    [[ -n $port ]] || port=$(grep -m1 -xE '[0-9]+' "$dir/sqs.log" || true)
    if [[ -n $port ]] && healthy "$port"; then break; fi
    if ((++tries > 300)); then
      tail -n 20 "$dir/sqs.log" >&2 || true
      cmd_stop "$dir"
      die "emulator not ready after 30s"
    fi
    sleep 0.1
  done

  echo "$port" >"$dir/sqs.port"
  log "ready on 127.0.0.1:$port (pid $pid, log in $dir/sqs.log)"
  echo "$port"
}

cmd_stop() {
  local dir=${1:?usage: sqs-emulator.sh stop <dir>} pid i
  if pid=$(running_pid "$dir"); then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      log "pid $pid did not stop after 5s; killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$dir/sqs.pid" "$dir/sqs.port"
}

case ${1:-} in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) die "usage: sqs-emulator.sh start <dir> [port] | stop <dir>" ;;
esac
