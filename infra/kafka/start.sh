#!/usr/bin/env bash
# Starts a throwaway single-node Apache Kafka broker (KRaft, broker and controller in one JVM) on
# 127.0.0.1, in a fresh folder, and returns once a kafkajs client can create a topic and write to
# it. Stop it with infra/kafka/stop.sh.
#
# Env:
#   KAFKA_PORT               client listener port            (default 9092)
#   KAFKA_CONTROLLER_PORT    controller listener port        (default 9093)
#   KAFKA_DATA_DIR           fresh run folder (must not exist or be empty)
#                            (default infra/kafka/run/<UTC timestamp>)
#   KAFKA_START_TIMEOUT      seconds from launch to ready before giving up (default 120)
#   KAFKA_HEAP_OPTS          JVM heap flags                  (default "-Xms512m -Xmx1g")
#   KAFKA_KEEP_RUNS          run folders kept under infra/kafka/run (default 5; 0 keeps all)
#   KAFKA_RUN_DIR            where the pid file and run folders live (default infra/kafka/run):
#                            another one runs a second, independent broker (other ports too)
#   KAFKA_RESUME=1           start the broker of the last run again, on its data (after
#                            stop.sh): what it had stored is still there
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LIB="$HERE/lib"
RUN="${KAFKA_RUN_DIR:-$HERE/run}"
PID_FILE="$RUN/kafka.pid"

PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
TIMEOUT_S="${KAFKA_START_TIMEOUT:-120}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms512m -Xmx1g}"
KEEP_RUNS="${KAFKA_KEEP_RUNS:-5}"

say() { echo "infra/kafka/start.sh: $*"; }
fail() {
  echo "infra/kafka/start.sh: $*" >&2
  exit 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
seconds() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
is_kafka_pid() { [[ -n "${1:-}" && -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q 'kafka\.Kafka '; }

for value in "$PORT" "$CONTROLLER_PORT" "$TIMEOUT_S" "$KEEP_RUNS"; do
  [[ "$value" =~ ^[0-9]+$ ]] || fail "expected a number, got '$value' (check KAFKA_* env)"
done
[[ "$PORT" != "$CONTROLLER_PORT" ]] || fail "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
command -v node >/dev/null 2>&1 || fail "missing on PATH: node (the readiness probe runs on Node 20)"
[[ -x "$ROOT/node_modules/.bin/tsx" ]] || fail "tsx is not installed: run 'npm ci' at $ROOT first"

mkdir -p "$RUN"
if [[ -f "$PID_FILE" ]]; then
  old_pid="$(cat "$PID_FILE")"
  if is_kafka_pid "$old_pid"; then
    fail "a broker started by this script is already running (pid $old_pid, $(readlink -f "$RUN/current" 2>/dev/null || echo '?')); run infra/kafka/stop.sh first"
  fi
  rm -f "$PID_FILE"
fi
port_in_use "$PORT" && fail "127.0.0.1:$PORT is taken; pick another port with KAFKA_PORT=..."
port_in_use "$CONTROLLER_PORT" && fail "127.0.0.1:$CONTROLLER_PORT is taken; pick another port with KAFKA_CONTROLLER_PORT=..."

t_begin="$(now_ms)"
bash "$HERE/fetch.sh"
t_fetched="$(now_ms)"
KAFKA_VERSION="$(basename "$(compgen -G "$LIB/kafka_2.13-*.jar" | head -n1)" .jar)"
KAFKA_VERSION="${KAFKA_VERSION#kafka_2.13-}"

RESUME="${KAFKA_RESUME:-0}"
if [[ "$RESUME" == 1 ]]; then
  DATA_DIR="$(readlink -f "$RUN/current" 2>/dev/null || true)"
  [[ -n "$DATA_DIR" && -f "$DATA_DIR/server.properties" ]] ||
    fail "KAFKA_RESUME=1: no earlier run in $RUN to resume"
  LOGS="$DATA_DIR/logs"
  # The server log is appended to: readiness waits for a start line written after this one.
  started_lines="$(grep -c 'Kafka Server started' "$LOGS/server.log" 2>/dev/null || true)"
  started_lines="${started_lines:-0}"
else
# A fresh folder per run: a reused log.dirs with another cluster id fails the format step.
DATA_DIR="${KAFKA_DATA_DIR:-$RUN/$(date -u +%Y%m%dT%H%M%SZ)-$$}"
if [[ -e "$DATA_DIR" && -n "$(ls -A "$DATA_DIR" 2>/dev/null)" ]]; then
  fail "KAFKA_DATA_DIR=$DATA_DIR is not empty; every start needs a fresh folder"
fi
mkdir -p "$DATA_DIR/logs" "$DATA_DIR/data"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"
LOGS="$DATA_DIR/logs"
ln -sfn "$DATA_DIR" "$RUN/current"
started_lines=0

# Keep the newest $KEEP_RUNS run folders of our own naming; never the current one.
if ((KEEP_RUNS > 0)); then
  find "$RUN" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended \
    -regex '.*/[0-9]{8}T[0-9]{6}Z-[0-9]+' -printf '%f\n' | sort -r | tail -n +$((KEEP_RUNS + 1)) |
    while read -r old; do [[ "$RUN/$old" != "$DATA_DIR" ]] && rm -rf "${RUN:?}/$old"; done
fi

cat >"$DATA_DIR/server.properties" <<EOF
# Written by infra/kafka/start.sh: single node, KRaft, broker and controller in one process,
# listening on 127.0.0.1 only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA_DIR/data
# Topics are created on purpose (infra/kafka/create-topics.ts), never by a typo.
auto.create.topics.enable=false
num.partitions=1
# One replica of everything, and one partition for the internal topics: the defaults (50 each)
# are created on first use and make the first consumer group join slow on two cores.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
EOF

cat >"$DATA_DIR/log4j2.properties" <<'EOF'
# Written by infra/kafka/start.sh. Broker log: logs/server.log; partition state changes:
# logs/state-change.log; the JVM's own stdout/stderr: logs/stdout.log.
status = warn
name = newsroom-kafka

appender.server.type = File
appender.server.name = server
appender.server.fileName = ${sys:kafka.logs.dir}/server.log
appender.server.layout.type = PatternLayout
appender.server.layout.pattern = [%d] %p %m (%c)%n

appender.state.type = File
appender.state.name = state
appender.state.fileName = ${sys:kafka.logs.dir}/state-change.log
appender.state.layout.type = PatternLayout
appender.state.layout.pattern = [%d] %p %m (%c)%n

rootLogger.level = INFO
rootLogger.appenderRef.server.ref = server

logger.state.name = state.change.logger
logger.state.level = INFO
logger.state.additivity = false
logger.state.appenderRef.state.ref = state

logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF

cat >"$DATA_DIR/log4j2-tools.properties" <<'EOF'
# Written by infra/kafka/start.sh for the format step: warnings and errors to stderr (format.log).
status = warn
name = newsroom-kafka-tools
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = stderr
EOF
fi

JAVA_LOGGING=(-Dlog4j2.configurationFile="$DATA_DIR/log4j2.properties" -Dkafka.logs.dir="$LOGS")

print_logs() {
  echo "----- $LOGS/stdout.log -----" >&2
  cat "$LOGS/stdout.log" >&2 2>/dev/null || true
  if [[ -f "$LOGS/server.log" ]]; then
    echo "----- last 200 lines of $LOGS/server.log -----" >&2
    tail -n 200 "$LOGS/server.log" >&2
  fi
  echo "----- end of logs ($LOGS) -----" >&2
}

# Cluster id: 16 random bytes, base64url without padding (22 chars), not starting with '-'
# (Kafka's own generator avoids that too, it reads as a command-line flag).
cluster_id=""
until [[ "$cluster_id" =~ ^[A-Za-z0-9_][A-Za-z0-9_-]{21}$ ]]; do
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22)"
done

t_format="$(now_ms)"
if [[ "$RESUME" != 1 ]]; then
if ! java -Xmx256m -cp "$LIB/*" -Dlog4j2.configurationFile="$DATA_DIR/log4j2-tools.properties" \
  kafka.tools.StorageTool format \
  -t "$cluster_id" -c "$DATA_DIR/server.properties" --ignore-formatted >"$LOGS/format.log" 2>&1; then
  cat "$LOGS/format.log" >&2
  fail "formatting $DATA_DIR/data failed (log above)"
fi
fi
t_launch="$(now_ms)"

# Own session (setsid), so that the broker outlives this script and its terminal; the pid written
# is the JVM's own (exec), which is what stop.sh signals. A resumed run still holds the last
# start's pid file: gone first, so the wait below reads the new one, never the old.
rm -f "$DATA_DIR/kafka.pid"
# shellcheck disable=SC2086 # HEAP_OPTS is a list of flags
setsid bash -c 'echo $$ >"$0"; exec "$@"' "$DATA_DIR/kafka.pid" \
  java $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
  -Djava.awt.headless=true "${JAVA_LOGGING[@]}" -cp "$LIB/*" \
  kafka.Kafka "$DATA_DIR/server.properties" </dev/null >"$LOGS/stdout.log" 2>&1 &
launcher=$!
for _ in $(seq 1 100); do [[ -s "$DATA_DIR/kafka.pid" ]] && break; sleep 0.05; done
pid="$(cat "$DATA_DIR/kafka.pid" 2>/dev/null || true)"
[[ -n "$pid" ]] || fail "the broker did not start (no pid written)"
cp "$DATA_DIR/kafka.pid" "$PID_FILE"

ready=0
probe_pid=""
cleanup() {
  if ((ready == 0)); then
    [[ -n "$probe_pid" ]] && kill "$probe_pid" 2>/dev/null
    if kill -0 "$pid" 2>/dev/null; then
      echo "infra/kafka/start.sh: stopping the broker that did not become ready (pid $pid)" >&2
      bash "$HERE/stop.sh" >&2 || true
    fi
    rm -f "$PID_FILE"
  fi
}
died() {
  local code=0
  # Only reap a launcher that has ended: waiting on a live one would never return.
  if ! kill -0 "$launcher" 2>/dev/null; then wait "$launcher" 2>/dev/null || code=$?; fi
  print_logs
  fail "the broker process exited (code $code) during start-up (logs above)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Kafka $KAFKA_VERSION launched (pid $pid) on 127.0.0.1:$PORT, controller 127.0.0.1:$CONTROLLER_PORT, in $DATA_DIR"

deadline=$((t_launch + TIMEOUT_S * 1000))
started_now() { local n; n="$(grep -c 'Kafka Server started' "$LOGS/server.log" 2>/dev/null || true)"; echo "${n:-0}"; }
until (($(started_now) > started_lines)); do
  kill -0 "$pid" 2>/dev/null || died
  if (($(now_ms) > deadline)); then
    print_logs
    fail "no 'Kafka Server started' within ${TIMEOUT_S}s (logs above)"
  fi
  sleep 0.1
done
t_logline="$(now_ms)"

# Ready means a kafkajs client can connect, describe the cluster, create a topic with leaders and
# write to it. The probe runs in the background so that a dying broker is noticed at once.
probe_out="$DATA_DIR/probe.json"
(
  cd "$ROOT"
  KAFKA_BROKERS="127.0.0.1:$PORT" KAFKA_PROBE_TIMEOUT_MS=$((deadline - $(now_ms))) \
    exec npx --no -- tsx "$HERE/probe.ts"
) >"$probe_out" 2>"$LOGS/probe.log" &
probe_pid=$!
while kill -0 "$probe_pid" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || died
  sleep 0.1
done
if ! wait "$probe_pid"; then
  probe_pid=""
  cat "$LOGS/probe.log" >&2
  print_logs
  fail "the broker did not become ready within ${TIMEOUT_S}s (probe error and logs above)"
fi
probe_pid=""
t_ready="$(now_ms)"
ready=1

launch_ms=$((t_ready - t_launch))
cat >"$DATA_DIR/start.json" <<EOF
{
  "kafkaVersion": "$KAFKA_VERSION",
  "startedAt": "$(date -u -d "@$((t_launch / 1000))" +%Y-%m-%dT%H:%M:%SZ)",
  "brokers": "127.0.0.1:$PORT",
  "controller": "127.0.0.1:$CONTROLLER_PORT",
  "pid": $pid,
  "dataDir": "$DATA_DIR",
  "heap": "$HEAP_OPTS",
  "fetchMs": $((t_fetched - t_begin)),
  "formatMs": $((t_launch - t_format)),
  "launchToLogLineMs": $((t_logline - t_launch)),
  "launchToReadyMs": $launch_ms,
  "totalMs": $((t_ready - t_begin)),
  "probe": $(cat "$probe_out")
}
EOF
cp "$DATA_DIR/start.json" "$RUN/last-start.json"

say "ready in $(seconds "$launch_ms") s from launch ('Kafka Server started' after $(seconds $((t_logline - t_launch))) s; format $(seconds $((t_launch - t_format))) s; $(seconds $((t_ready - t_begin))) s in all)"
say "brokers 127.0.0.1:$PORT; logs in $LOGS; stop with: bash infra/kafka/stop.sh"
