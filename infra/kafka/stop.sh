#!/usr/bin/env bash
# Stops the broker started by infra/kafka/start.sh: SIGTERM (a clean shutdown), then SIGKILL if
# it is still running after KAFKA_STOP_TIMEOUT seconds (default 15). Idempotent: with no broker
# running it says so and exits 0. The run folder (data and logs) is kept for inspection.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN="${KAFKA_RUN_DIR:-$HERE/run}"
PID_FILE="$RUN/kafka.pid"
TIMEOUT_S="${KAFKA_STOP_TIMEOUT:-15}"

say() { echo "infra/kafka/stop.sh: $*"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Only ever signal the JVM that start.sh launched: a stale pid file may name a reused pid.
is_kafka_pid() { [[ -n "${1:-}" && -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q 'kafka\.Kafka '; }

if [[ ! -f "$PID_FILE" ]]; then
  say "no broker running (no $PID_FILE)"
  exit 0
fi
pid="$(cat "$PID_FILE")"
if ! is_kafka_pid "$pid"; then
  say "no broker running (pid ${pid:-?} from $PID_FILE is gone)"
  rm -f "$PID_FILE"
  exit 0
fi

t0="$(now_ms)"
kill -TERM "$pid" 2>/dev/null || true
deadline=$((t0 + TIMEOUT_S * 1000))
while is_kafka_pid "$pid" && (($(now_ms) < deadline)); do sleep 0.1; done
how="SIGTERM"
if is_kafka_pid "$pid"; then
  say "still running after ${TIMEOUT_S}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  while is_kafka_pid "$pid"; do sleep 0.1; done
  how="SIGKILL"
fi
rm -f "$PID_FILE"
say "stopped broker pid $pid ($how, $(($(now_ms) - t0)) ms); logs kept in $(readlink -f "$RUN/current" 2>/dev/null || echo "$RUN")/logs"
