#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:${PGPORT:-5432}. If something already answers
# there (the machine's own server), it does nothing. Otherwise it starts a throwaway cluster:
# initdb into infra/postgres/run/data (trust auth, UTF8, C collation), listening on 127.0.0.1
# only, with its socket in infra/postgres/run, creates the database `test`, and waits until it
# answers. Stop it with infra/postgres/stop.sh. Idempotent.
#
# Running as root: initdb and postgres refuse root, so they run as the `postgres` user
# (PG_USER to change it), which is given infra/postgres/run.
# Binaries: PG_BIN if set, else `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin,
# else whatever is on PATH.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN="$HERE/run"
DATA="$RUN/data"
LOG="$RUN/postgres.log"
PORT="${PGPORT:-5432}"
HOST=127.0.0.1
START_TIMEOUT_S="${PG_START_TIMEOUT:-60}"

say() { echo "infra/postgres/ensure.sh: $*"; }
die() {
  echo "infra/postgres/ensure.sh: $*" >&2
  exit 1
}

find_bin() {
  local name="$1" dir
  if [[ -n "${PG_BIN:-}" && -x "$PG_BIN/$name" ]]; then
    echo "$PG_BIN/$name"
    return
  fi
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [[ -n "$dir" && -x "$dir/$name" ]]; then
      echo "$dir/$name"
      return
    fi
  fi
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$dir" && -x "$dir/$name" ]]; then
    echo "$dir/$name"
    return
  fi
  command -v "$name" 2>/dev/null || true
}

PG_ISREADY="$(find_bin pg_isready)"
[[ -n "$PG_ISREADY" ]] || die "pg_isready not found: install the PostgreSQL client and server binaries, or set PG_BIN"

answers() { "$PG_ISREADY" -q -h "$HOST" -p "$PORT" -t 2 >/dev/null 2>&1; }

if answers; then
  say "PostgreSQL already answers on $HOST:$PORT"
  exit 0
fi

INITDB="$(find_bin initdb)"
PG_CTL="$(find_bin pg_ctl)"
PSQL="$(find_bin psql)"
[[ -n "$INITDB" && -n "$PG_CTL" ]] || die "initdb/pg_ctl not found: install the PostgreSQL server binaries (Debian: postgresql), or set PG_BIN"

# initdb and postgres refuse to run as root: use an unprivileged owner for the cluster.
OWNER_USER=""
if [[ "$(id -u)" == 0 ]]; then
  OWNER_USER="${PG_USER:-postgres}"
  id "$OWNER_USER" >/dev/null 2>&1 || die "running as root, and there is no user '$OWNER_USER' to own the cluster (set PG_USER)"
fi
as_owner() {
  if [[ -n "$OWNER_USER" ]]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u "$OWNER_USER" -- "$@"
    else
      su -s /bin/bash "$OWNER_USER" -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

mkdir -p "$RUN"
[[ -n "$OWNER_USER" ]] && chown "$OWNER_USER" "$RUN"

# A cluster of ours may be running already, on another port: do not start a second one.
if [[ -f "$DATA/postmaster.pid" ]] && as_owner "$PG_CTL" -D "$DATA" status >/dev/null 2>&1; then
  running_port="$(sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || echo '?')"
  die "the throwaway cluster in $DATA is already running on port $running_port; stop it first: bash infra/postgres/stop.sh"
fi

# Throwaway: a cluster left from an earlier run is removed and made anew.
if [[ -e "$DATA" ]]; then
  say "removing the previous throwaway cluster in $DATA"
  rm -rf "$DATA"
fi
say "initdb into $DATA (owner ${OWNER_USER:-$(id -un)})"
as_owner "$INITDB" -D "$DATA" -U postgres --auth=trust -E UTF8 --no-locale >"$RUN/initdb.log" 2>&1 ||
  die "initdb failed; see $RUN/initdb.log"

say "starting on $HOST:$PORT (log $LOG)"
as_owner "$PG_CTL" -D "$DATA" -l "$LOG" -w -t "$START_TIMEOUT_S" \
  -o "-c listen_addresses=$HOST -p $PORT -c unix_socket_directories='$RUN'" start >/dev/null ||
  die "pg_ctl start failed; see $LOG"

deadline=$((SECONDS + START_TIMEOUT_S))
until answers; do
  ((SECONDS < deadline)) || die "PostgreSQL did not answer on $HOST:$PORT within ${START_TIMEOUT_S}s; see $LOG"
  sleep 0.2
done
echo "$PORT" >"$RUN/port"

if [[ -n "$PSQL" ]]; then
  exists="$("$PSQL" -h "$HOST" -p "$PORT" -U postgres -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = 'test'")"
  [[ "$exists" == 1 ]] || "$PSQL" -h "$HOST" -p "$PORT" -U postgres -d postgres -qc 'CREATE DATABASE test' >/dev/null
else
  as_owner "$(find_bin createdb)" -h "$HOST" -p "$PORT" -U postgres test
fi
say "ready: postgres://postgres@$HOST:$PORT/test (stop with: bash infra/postgres/stop.sh)"
