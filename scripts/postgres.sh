#!/usr/bin/env bash
# Throwaway PostgreSQL clusters for tests and local runs.
#
#   scripts/postgres.sh start <dir> [--fast]   create + start a cluster in <dir>, print its port
#   scripts/postgres.sh stop <dir>             stop it (idempotent); the caller removes <dir>
#   scripts/postgres.sh restart <dir>          immediate stop (a crash to the database) and start on the same port
#   scripts/postgres.sh createdb <dir> <name>  create a database in a running cluster
#
# Connection string: Host=127.0.0.1;Port=<port>;Username=postgres;Database=<db> (trust auth).
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# Debian keeps the server binaries in /usr/lib/postgresql/<ver>/bin, not on PATH.
find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [[ -x $d/initdb && -x $d/pg_ctl ]]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v pg_ctl)"; return 0
  fi
  return 1
}

ensure_installed() {
  find_bindir && return 0
  [[ $EUID -eq 0 ]] || die "PostgreSQL is not installed; run: sudo apt-get install -y postgresql"
  log "installing PostgreSQL with apt-get"
  {
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
  } >&2
  find_bindir || die "postgresql installed but initdb/pg_ctl not found"
}

# PostgreSQL refuses to run as root.
as_pg() {
  if [[ $EUID -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cmd_start() {
  local dir=${1:?usage: postgres.sh start <dir> [--fast]} fast=${2:-}
  [[ -z $fast || $fast == --fast ]] || die "unknown option: $fast"
  local bin; bin=$(ensure_installed)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [[ $EUID -ne 0 ]] || chown postgres: "$dir"
  as_pg test -w "$dir" || die "$dir is not writable by the postgres user (is a parent directory private?)"

  local data=$dir/data
  if [[ ! -f $data/PG_VERSION ]]; then
    as_pg "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "unix_socket_directories = '$dir'"
      echo "max_connections = 300"
      echo "shared_buffers = 256MB"
      if [[ $fast == --fast ]]; then
        # Tests only: durability is worthless for a cluster deleted after the run.
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
      fi
    } | as_pg tee -a "$data/postgresql.conf" >/dev/null
  fi

  # Serialise concurrent starts so two callers never probe the same free port;
  # the retry loop covers ports grabbed by unrelated processes.
  local lock=/tmp/payments-postgres-port.lock
  touch "$lock" 2>/dev/null || true
  exec 9<"$lock"
  flock 9
  local port=55432 attempt
  for attempt in 1 2 3 4 5; do
    while port_in_use "$port"; do port=$((port + 1)); done
    if as_pg "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -o "-p $port" -w -t 30 start >&2 9<&-; then
      break
    fi
    grep -q "already in use" "$dir/postgres.log" 2>/dev/null || { tail -n 20 "$dir/postgres.log" >&2 || true; die "failed to start"; }
    log "port $port taken, trying the next one"
    port=$((port + 1))
    [[ $attempt -lt 5 ]] || die "no free port found"
  done

  local waited=0
  until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; do
    ((waited++ < 30)) || die "postgres on port $port not ready after 30s"
    sleep 1
  done
  exec 9<&-

  echo "$port" >"$dir/port"
  log "ready on 127.0.0.1:$port (data in $data)"
  echo "$port"
}

cmd_stop() {
  local dir=${1:?usage: postgres.sh stop <dir>}
  [[ -f $dir/data/postmaster.pid ]] || return 0
  local bin; bin=$(find_bindir) || return 0
  as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
}

# Immediate mode is a crash as far as the database goes: no checkpoint, WAL recovery on start; clients lose their connections.
cmd_restart() {
  local dir=${1:?usage: postgres.sh restart <dir>}
  local bin; bin=$(find_bindir) || die "PostgreSQL is not installed"
  as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w -l "$dir/postgres.log" restart >&2
}

cmd_createdb() {
  local dir=${1:?usage: postgres.sh createdb <dir> <name>} name=${2:?usage: postgres.sh createdb <dir> <name>}
  local bin; bin=$(find_bindir) || die "PostgreSQL is not installed"
  "$bin/createdb" -h 127.0.0.1 -p "$(cat "$dir/port")" -U postgres "$name"
}

case ${1:-} in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  restart) shift; cmd_restart "$@" ;;
  createdb) shift; cmd_createdb "$@" ;;
  *) die "usage: postgres.sh start <dir> [--fast] | stop <dir> | restart <dir> | createdb <dir> <name>" ;;
esac
