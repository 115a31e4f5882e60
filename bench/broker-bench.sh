#!/usr/bin/env bash
# Broker benchmark: zto's MQTT broker against Debian's Mosquitto 2.0, same load generator
# (bench/mqtt-load.py), same certificates, same run, loopback only. Not part of `mvn verify` or CI.
#   bench/broker-bench.sh            full run (about 5 minutes on 2 cores)
#   bench/broker-bench.sh --quick    smaller counts (about 1-2 minutes)
# Measures: mutual-TLS CONNECT/CONNACK per second at 32 and 128 in flight (a distinct device certificate
# per connection), QoS 0/1 publish throughput fan-in (8 -> 1) and fan-out (1 -> 100) on plain TCP, and
# server RSS per idle mutual-TLS session. Which zto listener is measured, and why, is printed with each.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
QUICK=0
ONLY="connect throughput idle"
while (($#)); do
  case "$1" in
    --quick) QUICK=1 ;;
    --only) ONLY="$2"; shift ;;
    *) echo "usage: $0 [--quick] [--only 'connect throughput idle']" >&2; exit 2 ;;
  esac
  shift
done
part() { [[ " $ONLY " == *" $1 "* ]]; }
if ((QUICK)); then
  DEVICES=1000; WARMUP=300; CONNECTS=200; SECONDS_PER_RUN=1.5; IDLE=500
else
  # the warm-up lets zto's JIT compile the connect path (a cold JVM spends ~40% of its CPU compiling)
  DEVICES=10000; WARMUP=2000; CONNECTS=1500; SECONDS_PER_RUN=5; IDLE=10000
fi
PUBS=8; FANOUT=100

say() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- prerequisites (Debian packages; installed only when missing)
need=()
command -v mosquitto >/dev/null || [[ -x /usr/sbin/mosquitto ]] || need+=(mosquitto)
command -v mosquitto_sub >/dev/null || need+=(mosquitto-clients)
/usr/bin/python3 -c 'import cryptography' 2>/dev/null || need+=(python3-cryptography)
if ((${#need[@]})); then
  say "installing ${need[*]}"
  apt-get install -y "${need[@]}" >/dev/null
fi
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
JAR=deploy/target/zto.jar
if [[ ! -f $JAR ]]; then
  say "building $JAR"
  mvn -B -q -o package -DskipTests
fi
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
MAX_FDS=$(ulimit -n)
if ((IDLE > MAX_FDS - 200)); then IDLE=$((MAX_FDS - 200)); fi

WORK=$(mktemp -d /tmp/zto-broker-bench.XXXXXX)
PIDS=()
cleanup() {
  # ZTO_JFR=file: zto ran with a JFR recording (profile settings), dumped there before it stops
  [[ -n "${ZTO_JFR:-}" && -n "${Z_PID:-}" ]] && jcmd "$Z_PID" JFR.dump name=bench filename="$ZTO_JFR" >/dev/null 2>&1 || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
load() { timeout 300 /usr/bin/python3 -u bench/mqtt-load.py "$@"; }
field() { /usr/bin/python3 -c 'import json,sys; d=json.loads(sys.stdin.read().strip().splitlines()[-1]); print(d.get(sys.argv[1]))' "$1"; }
RESULTS=$WORK/results.tsv
HISTOGRAM=${BENCH_OUT:-/tmp}/zto-broker-bench-histogram.txt
: >"$RESULTS"
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"; }  # metric, mosquitto, zto, note

# --- certificates: a bench LDevID CA, Mosquitto's server certificate, one certificate per device
# BENCH_CERTS=dir keeps the certificates between runs (made there once)
if [[ -n "${BENCH_CERTS:-}" && -f "$BENCH_CERTS/dev/$(printf 'bench-dev-%05d' $((DEVICES - 1))).pem" ]]; then
  ln -s "$(cd "$BENCH_CERTS" && pwd)" "$WORK/certs"
else
  say "making $DEVICES device certificates"
  load certs --dir "$WORK/certs" --devices "$DEVICES" >/dev/null
  [[ -n "${BENCH_CERTS:-}" ]] && rm -rf "$BENCH_CERTS" && cp -r "$WORK/certs" "$BENCH_CERTS"
fi
CA=$WORK/certs/ca.pem

# --- Mosquitto: mutual-TLS listener and a plain listener, loopback only
M_TLS=$(free_port); M_PLAIN=$(free_port)
cat >"$WORK/mosquitto.conf" <<EOF
per_listener_settings true
persistence false
log_dest stderr
log_type error
log_type warning
max_connections -1
max_queued_messages 10000
max_inflight_messages 0
set_tcp_nodelay true
user $(id -un)
listener $M_TLS 127.0.0.1
cafile $CA
certfile $WORK/certs/server.pem
keyfile $WORK/certs/server.key
require_certificate true
use_identity_as_username true
allow_anonymous false
listener $M_PLAIN 127.0.0.1
allow_anonymous true
EOF
"$MOSQUITTO" -c "$WORK/mosquitto.conf" >"$WORK/mosquitto.log" 2>&1 &
M_PID=$!; PIDS+=("$M_PID")
MOSQ_VERSION=$("$MOSQUITTO" -h 2>&1 | head -1 || true)

# --- zto: the fat jar on a temp data dir (embedded SQLite), broker role only
Z_HTTP=$(free_port); Z_OP=$(free_port); Z_PROV=$(free_port); Z_PLAIN=$(free_port); Z_EST=$(free_port)
java ${ZTO_JAVA_OPTS:-} ${ZTO_JFR:+-XX:StartFlightRecording=name=bench,settings=profile} -jar "$JAR" --data-dir "$WORK/zto-data" --roles broker --set http.port="$Z_HTTP" --set est.port="$Z_EST" \
  --set mqtt.host=127.0.0.1 --set mqtt.operational.port="$Z_OP" --set mqtt.provisioning.port="$Z_PROV" \
  --set mqtt.plain.enabled=true --set mqtt.plain.allowAnonymous=true --set mqtt.plain.port="$Z_PLAIN" \
  --set mqtt.clientQueueMax=10000 >"$WORK/zto.log" 2>&1 &
Z_PID=$!; PIDS+=("$Z_PID")
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$Z_HTTP/health" >/dev/null 2>&1 && break
  kill -0 "$Z_PID" 2>/dev/null || { cat "$WORK/zto.log" >&2; exit 1; }
  sleep 0.5
done
curl -sf "http://127.0.0.1:$Z_HTTP/health" >/dev/null || { say "zto did not come up"; tail -20 "$WORK/zto.log" >&2; exit 1; }
kill -0 "$M_PID" || { cat "$WORK/mosquitto.log" >&2; exit 1; }
TOKEN=$(cat "$WORK/zto-data/admin-token")
# the bench CA becomes an `ldevid` trust anchor, so the device certificates are LDevIDs to zto
/usr/bin/python3 -c 'import json,sys; print(json.dumps({"name":"bench","purpose":"ldevid","pem":open(sys.argv[1]).read()}))' "$CA" \
  | curl -sf -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data-binary @- "http://127.0.0.1:$Z_HTTP/api/v1/trust-anchors"
P_USER=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["username"])' "$WORK/zto-data/provisioning-credentials.json")
P_PASS=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["password"])' "$WORK/zto-data/provisioning-credentials.json")
Z_ROOT=$WORK/zto-data/root-ca.pem
say "Mosquitto pid $M_PID (mTLS :$M_TLS, plain :$M_PLAIN); zto pid $Z_PID (provisioning mTLS :$Z_PROV, plain :$Z_PLAIN)"

m_connect() { load connect --port "$M_TLS" --ca "$CA" --certs "$WORK/certs" --server-pid "$M_PID" "$@"; }
z_connect() { load connect --port "$Z_PROV" --ca "$Z_ROOT" --certs "$WORK/certs" --user "$P_USER" --password "$P_PASS" \
  --server-pid "$Z_PID" "$@"; }

# --- 1. mutual-TLS CONNECT/CONNACK per second; each connection a certificate not used before on that server
if part connect; then
say "1. mutual-TLS connect: warm-up ($WARMUP connections each)"
m_connect --first 0 --count "$WARMUP" --inflight 32 >/dev/null
z_connect --first 0 --count "$WARMUP" --inflight 32 >/dev/null
first=$WARMUP
for inflight in 32 128; do
  say "1. mutual-TLS connect, $inflight in flight, $CONNECTS distinct certificates"
  m=$(m_connect --first "$first" --count "$CONNECTS" --inflight "$inflight")
  z=$(z_connect --first "$first" --count "$CONNECTS" --inflight "$inflight")
  say "   mosquitto $m"
  say "   zto       $z"
  record "mTLS CONNECT/CONNACK per s, $inflight in flight" "$(field per_second <<<"$m")" "$(field per_second <<<"$z")" \
    "failed: $(field failed <<<"$m") / $(field failed <<<"$z")"
  record "  server CPU ms per connect, $inflight in flight" "$(field server_cpu_ms_per_connect <<<"$m")" \
    "$(field server_cpu_ms_per_connect <<<"$z")" "client (load generator) CPU ms per connect: $(field client_cpu_ms_per_connect <<<"$m") / $(field client_cpu_ms_per_connect <<<"$z")"
  first=$((first + CONNECTS))
done
fi

# --- 2. publish throughput on the plain listeners (no TLS on either side)
part throughput && for qos in 0 1; do
  for shape in fanin fanout; do
    if [[ $shape == fanin ]]; then args=(--pubs "$PUBS" --subs 1); label="fan-in $PUBS->1"; else args=(--pubs 1 --subs "$FANOUT"); label="fan-out 1->$FANOUT"; fi
    say "2. QoS $qos $label, ${SECONDS_PER_RUN}s of publishing"
    m=$(load throughput --port "$M_PLAIN" --qos "$qos" --seconds "$SECONDS_PER_RUN" --server-pid "$M_PID" "${args[@]}")
    z=$(load throughput --port "$Z_PLAIN" --qos "$qos" --seconds "$SECONDS_PER_RUN" --server-pid "$Z_PID" "${args[@]}")
    say "   mosquitto $m"
    say "   zto       $z"
    record "QoS $qos $label, delivered msg/s" "$(field delivered_per_second <<<"$m")" "$(field delivered_per_second <<<"$z")" \
      "delivered in run $(field delivered_pct <<<"$m")% / $(field delivered_pct <<<"$z")%; published/s $(field published_per_second <<<"$m") / $(field published_per_second <<<"$z")"
    record "  server CPU µs per delivered message" "$(field server_cpu_us_per_delivery <<<"$m")" \
      "$(field server_cpu_us_per_delivery <<<"$z")" ""
  done
done

# --- 3. RSS per idle mutual-TLS session
if part idle; then
say "3. idle mutual-TLS sessions: $IDLE on each server"
m=$(load idle --port "$M_TLS" --ca "$CA" --certs "$WORK/certs" --server-pid "$M_PID" --sessions "$IDLE" --time-limit 240)
say "   mosquitto $m"
z=$(load idle --port "$Z_PROV" --ca "$Z_ROOT" --certs "$WORK/certs" --user "$P_USER" --password "$P_PASS" \
  --server-pid "$Z_PID" --sessions "$IDLE" --time-limit 240 --java --histogram "$HISTOGRAM")
say "   zto       $z"
record "KiB RSS per idle mTLS session ($(field sessions <<<"$m") / $(field sessions <<<"$z") sessions)" \
  "$(field kib_per_session <<<"$m")" "$(field kib_per_session <<<"$z")" \
  "RSS after, MiB: $(($(field rss_after_kib <<<"$m") / 1024)) / $(($(field rss_after_kib <<<"$z") / 1024))"
record "  zto: KiB live Java heap per idle mTLS session" "-" "$(field heap_kib_per_session <<<"$z")" \
  "after a full GC (jcmd GC.run), before and with the sessions; live classes in $HISTOGRAM"
record "  zto: KiB outside the Java heap per idle mTLS session" "-" "$(field native_kib_per_session <<<"$z")" \
  "RSS growth minus committed-heap growth (TLS engine, direct buffers, thread stacks)"
record "  zto: KiB heap + native per idle mTLS session" "$(field kib_per_session <<<"$m")" \
  "$(/usr/bin/python3 -c 'import sys; h, n = sys.argv[1:]; print(round(float(h) + float(n), 1) if h != "None" and n != "None" else None)' \
    "$(field heap_kib_per_session <<<"$z")" "$(field native_kib_per_session <<<"$z")")" "Mosquitto: its RSS per session"
fi

# --- report
echo
echo "Broker benchmark $(date -u +%FT%TZ)$( ((QUICK)) && echo ' (--quick)')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load avg $(cut -d' ' -f1-3 /proc/loadavg)"
echo "servers: $MOSQ_VERSION; zto $(java -version 2>&1 | head -1) (pki.tlsEngine ${ZTO_PKI_TLSENGINE:-auto}: BoringSSL where it loads)"
echo "zto listeners: provisioning (mutual TLS, LDevID from the bench CA registered as an 'ldevid' trust anchor,"
echo "  factory provisioning credentials) for connect and idle sessions: the operational listener would need"
echo "  every device issued a certificate by zto's CA, recorded VALID, and an Argon2id-hashed password;"
echo "  plain (mqtt.plain.allowAnonymous) for throughput, against Mosquitto's plain listener."
echo "load generator: bench/mqtt-load.py (Python asyncio, OpenSSL; connects from 2 processes), same process model for both servers,"
echo "  on the same cores as the servers"
echo
/usr/bin/python3 - "$RESULTS" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
def num(s):
    try: return float(s)
    except: return None
print("%-52s %12s %12s %10s  %s" % ("metric", "mosquitto", "zto", "zto/mosq", "note (mosquitto / zto)"))
for metric, m, z, note in rows:
    mv, zv = num(m), num(z)
    ratio = "%.2f" % (zv / mv) if mv and zv is not None else "-"
    print("%-52s %12s %12s %10s  %s" % (metric, m, z, ratio, note))
EOF
