#!/usr/bin/env bash
# Onboarding benchmark (issue 7): the machine's mutual-TLS ceiling against a bare Vert.x TLS server with
# the platform's certificates, engine and client-certificate check, then full onboardings per second
# through `zto simulate` against the fat jar (embedded SQLite), and the ratio of the two in the same run.
# Not part of `mvn verify`.
#   bench/onboarding-bench.sh [--jfr] [N ...]        (default N: 2000 10000)
#   ZTO_BENCH_OUT=dir   where reports, logs and the JFR recording go (default ./onboarding-bench-out)
#   ZTO_BENCH_INFLIGHT  devices (and ceiling connections) in flight (default 64)
#   ZTO_BENCH_DB_URL    run zto on this PostgreSQL URL instead of the embedded database
#   ZTO_BENCH_CEILING_CONNECTIONS  counted connections of the ceiling (default 3000); ZTO_JAR  the jar to run
#   ZTO_BENCH_WARMUP   devices onboarded first on each server, not counted (default 500; the ceiling has its
#                      300 warm-up connections): the JIT compiles for a minute after start
#   ZTO_BENCH_CLIENT_ENGINE  TLS engine of the ceiling client and the simulated devices (default openssl:
#                      BoringSSL, so that the load generator's own handshakes take less of the shared cores)
set -euo pipefail
cd "$(dirname "$0")/.."
JFR=false
if [ "${1:-}" = "--jfr" ]; then JFR=true; shift; fi
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(2000 10000)
INFLIGHT="${ZTO_BENCH_INFLIGHT:-64}"
CLIENT_ENGINE="${ZTO_BENCH_CLIENT_ENGINE:-openssl}"
WARMUP="${ZTO_BENCH_WARMUP:-500}"
OUT="$(realpath -m "${ZTO_BENCH_OUT:-onboarding-bench-out}")"
JAVA="${JAVA:-java}"
JAR="${ZTO_JAR:-$PWD/deploy/target/zto.jar}"
HANDSHAKES_PER_ONBOARDING=3   # provisioning MQTT, EST HTTPS, operational MQTT: each a fresh mutual-TLS handshake

[ -f "$JAR" ] || mvn -B -q -o -pl deploy -am package -DskipTests
mkdir -p "$OUT"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpu_seconds() { awk -v tck="$(getconf CLK_TCK)" '{ print ($14 + $15) / tck }' "/proc/$1/stat"; }
# thread_cpu PID: the process's CPU seconds by thread kind (event loops, workers, JIT, GC, ...)
thread_cpu() {
  for t in /proc/"$1"/task/*; do
    printf '%s\t%s\n' "$(sed -E 's/[-#]?[0-9]+$//' "$t/comm")" "$(awk '{ print $14 + $15 }' "$t/stat")"
  done | awk -F'\t' -v tck="$(getconf CLK_TCK)" '{ a[$1] += $2 } END { for (k in a) if (a[k] > 0) printf "%.1f\t%s\n", a[k] / tck, k }' \
    | sort -rn | awk -F'\t' '{ printf "    %-24s %8.1f s\n", $2, $1 }'
}
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"d": d}))' "$1" "$2"; }

# start_zto DATA_DIR LOG [extra java flags...]: sets ZTO_PID, HTTP, PROV
start_zto() {
  local data="$1" log="$2"; shift 2
  HTTP=$(free_port); PROV=$(free_port); local est op; est=$(free_port); op=$(free_port)
  local db=()
  [ -n "${ZTO_BENCH_DB_URL:-}" ] && db=(--set "db.url=$ZTO_BENCH_DB_URL")
  "$JAVA" "$@" -jar "$JAR" --data-dir "$data" --set "http.port=$HTTP" --set "est.port=$est" \
    --set "mqtt.operational.port=$op" --set "mqtt.provisioning.port=$PROV" "${db[@]}" >"$log" 2>&1 &
  ZTO_PID=$!; PIDS+=("$ZTO_PID")
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$HTTP/health" >/dev/null 2>&1 && return 0
    kill -0 "$ZTO_PID" 2>/dev/null || { cat "$log"; echo "zto did not start" >&2; exit 1; }
    sleep 0.5
  done
  echo "zto did not report UP" >&2; exit 1
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

echo "== onboarding bench: $(nproc) cores, $("$JAVA" -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# (a) the crypto ceiling: a data dir made by zto itself, so the server certificate is the platform's
start_zto "$WORK/ceiling-data" "$OUT/ceiling-zto.log"
stop "$ZTO_PID"
CEILING_PORT=$(free_port)
"$JAVA" -jar "$JAR" simulate handshake-server --data-dir "$WORK/ceiling-data" --work "$WORK/ceiling" \
  --port "$CEILING_PORT" >"$OUT/handshake-server.log" 2>&1 &
SERVER_PID=$!; PIDS+=("$SERVER_PID")
for _ in $(seq 1 120); do grep -q listening "$OUT/handshake-server.log" 2>/dev/null && break; sleep 0.5; done
CONNECTIONS="${ZTO_BENCH_CEILING_CONNECTIONS:-3000}"
"$JAVA" -jar "$JAR" simulate handshake-ceiling --data-dir "$WORK/ceiling-data" --work "$WORK/ceiling" \
  --port "$CEILING_PORT" --connections 300 --warmup 0 --max-in-flight "$INFLIGHT" --client-tls-engine "$CLIENT_ENGINE" >"$OUT/ceiling-warmup.log" 2>&1 \
  || echo "(warm-up: $(grep -h 'handshake ceiling' "$OUT/ceiling-warmup.log"))"   # server JIT warm-up, not counted
CPU0=$(cpu_seconds "$SERVER_PID")
"$JAVA" -jar "$JAR" simulate handshake-ceiling --data-dir "$WORK/ceiling-data" --work "$WORK/ceiling" \
  --port "$CEILING_PORT" --connections "$CONNECTIONS" --warmup 300 --max-in-flight "$INFLIGHT" --client-tls-engine "$CLIENT_ENGINE" >"$OUT/ceiling.log" 2>&1 \
  || true   # failures are counted in ceiling.json
grep 'handshake ceiling' "$OUT/ceiling.log"
CPU1=$(cpu_seconds "$SERVER_PID")
echo "handshake-server CPU by thread kind:" | tee "$OUT/threads-ceiling.txt"; thread_cpu "$SERVER_PID" | tee -a "$OUT/threads-ceiling.txt"
stop "$SERVER_PID"
cp "$WORK/ceiling/ceiling.json" "$OUT/ceiling.json"
CEILING=$(json "$OUT/ceiling.json" 'd["handshakesPerSecond"]')
CEILING_CPU_MS=$(python3 -c "print(round(($CPU1 - $CPU0) * 1000 / ($CONNECTIONS + 300), 2))")

# (b) full onboardings through zto simulate, a fresh data dir per size
declare -A RATE P99 FAILED CPU_MS DUR
for N in "${SIZES[@]}"; do
  FLAGS=()
  if $JFR && [ "$N" = "${SIZES[-1]}" ]; then
    FLAGS=("-XX:StartFlightRecording=filename=$OUT/zto-$N.jfr,settings=profile,dumponexit=true")
  fi
  start_zto "$WORK/data-$N" "$OUT/zto-$N.log" "${FLAGS[@]}"
  if [ "$WARMUP" -gt 0 ]; then
    "$JAVA" -jar "$JAR" simulate --devices "$WARMUP" --max-in-flight "$INFLIGHT" --api "http://127.0.0.1:$HTTP" \
      --data-dir "$WORK/data-$N" --provisioning-url "mqtts://localhost:$PROV" --telemetry-interval 60s --hold 1s \
      --prefix "warmup-$N-" --client-tls-engine "$CLIENT_ENGINE" --out "$OUT/warmup-$N" --keys "$OUT/warmup-keys.txt" \
      >"$OUT/warmup-$N.txt" 2>&1 || { tail -5 "$OUT/warmup-$N.txt"; echo "warm-up run failed" >&2; exit 1; }
    echo "(warm-up: $(grep -h 'onboarded in' "$OUT/warmup-$N.txt"))"
  fi
  CPU0=$(cpu_seconds "$ZTO_PID")
  set +e
  "$JAVA" -jar "$JAR" simulate --devices "$N" --max-in-flight "$INFLIGHT" --api "http://127.0.0.1:$HTTP" \
    --data-dir "$WORK/data-$N" --provisioning-url "mqtts://localhost:$PROV" --telemetry-interval 60s --hold 5s --attempts 5 \
    --prefix "bench-$N-" --client-tls-engine "$CLIENT_ENGINE" --out "$OUT/simulate-$N" --keys "$OUT/keys.txt" 2>"$OUT/simulate-$N.err" | tee "$OUT/simulate-$N.txt"
  set -e
  CPU1=$(cpu_seconds "$ZTO_PID")
  echo "zto CPU by thread kind, N=$N:" | tee "$OUT/threads-$N.txt"; thread_cpu "$ZTO_PID" | tee -a "$OUT/threads-$N.txt"
  stop "$ZTO_PID"
  R="$OUT/simulate-$N/result.json"
  RATE[$N]=$(json "$R" 'd["onboardingsPerSecond"]')
  P99[$N]=$(json "$R" 'd["latency"]["total"]["p99"]')
  FAILED[$N]=$(json "$R" 'd["failed"]')
  DUR[$N]=$(json "$R" 'd["onboardingSeconds"]')
  CPU_MS[$N]=$(python3 -c "print(round(($CPU1 - $CPU0) * 1000 / $N, 1))")
done

echo
echo "== onboarding bench results ($(date -u +%FT%TZ), load average at the end $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-46s %s\n' "mutual-TLS handshakes/s (bare Vert.x server)" "$CEILING  (server CPU ${CEILING_CPU_MS} ms/handshake)"
BOUND=$(python3 -c "print(round($CEILING / $HANDSHAKES_PER_ONBOARDING, 1))")
printf '%-46s %s\n' "ceiling / $HANDSHAKES_PER_ONBOARDING handshakes per onboarding" "$BOUND onboardings/s"
for N in "${SIZES[@]}"; do
  RATIO=$(python3 -c "print(round(${RATE[$N]} / $BOUND, 2))")
  printf '%-46s %s\n' "N=$N onboardings/s" "${RATE[$N]}  ratio to bound $RATIO  (target >= 0.5)  failed ${FAILED[$N]}  ${DUR[$N]} s  p99 total ${P99[$N]} ms  server CPU ${CPU_MS[$N]} ms/onboarding"
done
echo "reports: $OUT/simulate-*/report.html"
