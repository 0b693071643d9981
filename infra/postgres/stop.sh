#!/usr/bin/env bash
# Stops the throwaway cluster infra/postgres/ensure.sh started (fast shutdown), and nothing
# else: a server the machine runs itself is never touched. Idempotent: with no throwaway
# cluster running it says so and exits 0. The data folder is kept until the next ensure.sh.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN="$HERE/run"
DATA="$RUN/data"

say() { echo "infra/postgres/stop.sh: $*"; }

if [[ ! -f "$DATA/postmaster.pid" ]]; then
  say "no throwaway cluster running (no $DATA/postmaster.pid)"
  exit 0
fi

pg_ctl_bin() {
  local dir
  if [[ -n "${PG_BIN:-}" && -x "$PG_BIN/pg_ctl" ]]; then echo "$PG_BIN/pg_ctl" && return; fi
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [[ -n "$dir" && -x "$dir/pg_ctl" ]]; then echo "$dir/pg_ctl" && return; fi
  fi
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$dir" && -x "$dir/pg_ctl" ]]; then echo "$dir/pg_ctl" && return; fi
  command -v pg_ctl
}
PG_CTL="$(pg_ctl_bin)"

# pg_ctl runs as the cluster's owner (postgres refuses root).
owner="$(stat -c %U "$DATA")"
as_owner() {
  if [[ "$(id -u)" == 0 && "$owner" != root ]]; then
    runuser -u "$owner" -- "$@"
  else
    "$@"
  fi
}

if ! as_owner "$PG_CTL" -D "$DATA" status >/dev/null 2>&1; then
  say "no throwaway cluster running (stale $DATA/postmaster.pid)"
  exit 0
fi
port="$(cat "$RUN/port" 2>/dev/null || sed -n 4p "$DATA/postmaster.pid")"
as_owner "$PG_CTL" -D "$DATA" -m fast -w -t 60 stop >/dev/null
rm -f "$RUN/port"
say "stopped the throwaway cluster on port $port (data kept in $DATA until the next ensure.sh)"
