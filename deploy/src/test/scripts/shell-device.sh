#!/usr/bin/env bash
# A device made only of openssl, curl, mosquitto clients (Debian mosquitto-clients) and jq, doing the
# whole external contract (contract sections 1-7) against a running zto, so that the contract and not
# our own agent is what is tested:
#   operator: trust the customer and manufacturer CAs, enroll devices (curl, bearer token)
#   device:   provision over MQTT on the provisioning listener (proving its IDevID with an idevidProof
#             made by idevid-proof.sh), EST-enroll with a challenge-carrying
#             CSR, connect to the operational listener, publish telemetry, verify a signed (ES256 JWS)
#             command with openssl and reply to it
#   operator: see the command completed
# then the bad inputs of issue 5, each refused with a reason and, where audited, seen in the audit log.
#
# Environment:
#   ZTO_API       operator HTTP base, e.g. http://127.0.0.1:8080
#   ZTO_DATA_DIR  the node's data dir (admin-token is read from it; nothing else)
#   FACTORY       a directory made by `zto factory --count 3` pointing at the node's provisioning listener;
#                 gw-000001 and gw-000003 are enrolled by this script, gw-000002 stays unknown
#   WORK          an empty scratch directory
#   WAIT          optional: seconds for each bounded wait (default 30)
#
# Why mosquitto_rr for provisioning: the contract makes the MQTT client id equal the device id, and a
# second CONNECT with the same client id takes the first session over (MQTT 3.1.1 3.1.4-2), so a
# mosquitto_sub and a mosquitto_pub of one device cannot be connected at the same time. mosquitto_rr
# subscribes to the response topic and publishes the request on one connection (MQTT 5, with a
# Response Topic equal to the contract's response topic).
set -euo pipefail

# the proof maker next to this script, found before the cd below
PROOF="$(cd "$(dirname "$0")" && pwd)/idevid-proof.sh"
: "${ZTO_API:?}" "${ZTO_DATA_DIR:?}" "${FACTORY:?}" "${WORK:?}"
WAIT=${WAIT:-30}
cd "$WORK"

step() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

TOKEN=$(tr -d '\n' < "$ZTO_DATA_DIR/admin-token")

# api METHOD PATH OUT [curl options...]: prints the HTTP status, the body goes to OUT
api() {
  local method=$1 path=$2 out=$3; shift 3
  timeout "$WAIT" curl -sS -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $TOKEN" "$@" \
    "$ZTO_API$path" || fail "curl $method $path did not complete"
}
expect_http() { # expect_http STATUS ACTUAL BODYFILE WHAT
  [ "$2" = "$1" ] || fail "$4: expected HTTP $1, got $2: $(head -c 500 "$3" 2>/dev/null)"
  ok "$4: HTTP $2"
}
post_json() { # post_json PATH OUT JSON: prints the status
  api POST "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3"
}

# the audit log: remember the newest id, then wait for a matching entry after it
audit_mark() { api GET '/api/v1/audit?limit=1' audit-mark.json >/dev/null; jq -r '.items[0].id // 0' audit-mark.json; }
expect_audit() { # expect_audit MARK ACTION OUTCOME WHO WHAT: an entry newer than MARK with actor or subject WHO
  local mark=$1 action=$2 outcome=$3 who=$4 what=$5 deadline=$((SECONDS + WAIT))
  while :; do
    api GET "/api/v1/audit?action=$action&outcome=$outcome&limit=50" audit.json >/dev/null
    local hit
    hit=$(jq -c --argjson mark "$mark" --arg who "$who" \
      '[.items[] | select(.id > $mark and (.actor == $who or .subject == $who))][0] // empty' audit.json)
    if [ -n "$hit" ]; then
      ok "$what audited: $(jq -r '"\(.action) \(.outcome): \(.reason)"' <<<"$hit")"
      return 0
    fi
    [ $SECONDS -lt $deadline ] || fail "$what: no audit entry $action/$outcome for $who after #$mark: $(cat audit.json)"
    sleep 0.5
  done
}

b64url_decode() { # stdin base64url -> stdout bytes
  local s
  s=$(tr '_-' '/+' | tr -d '\n')
  case $((${#s} % 4)) in 2) s="$s==" ;; 3) s="$s=" ;; esac
  printf '%s' "$s" | base64 -d
}
b64url() { base64 -w0 | tr '/+' '_-' | tr -d '='; }
hex_of() { od -An -tx1 -v | tr -d ' \n'; }

host_of() { local u=${1#*://}; u=${u%%/*}; printf '%s' "${u%:*}"; }
port_of() { local u=${1#*://}; u=${u%%/*}; printf '%s' "${u##*:}"; }

# ---------------------------------------------------------------------------------------------------
DEV=gw-000001        # the device that onboards
OTHER=gw-000003      # a second enrolled device (its topics, its client id)
UNKNOWN=gw-000002    # made by the factory, trusted CA, never enrolled
D="$FACTORY/devices/$DEV"
[ -f "$D/factory.json" ] || fail "no factory config in $D"

step "factory config of $DEV"
PROV_URL=$(jq -r .provisioning.url "$D/factory.json")
PROV_HOST=$(host_of "$PROV_URL"); PROV_PORT=$(port_of "$PROV_URL")
PROV_USER=$(jq -r .provisioning.username "$D/factory.json")
PROV_PASS=$(jq -r .provisioning.password "$D/factory.json")
jq -r .provisioning.trustAnchors "$D/factory.json" > prov-root.pem
ok "provisioning $PROV_HOST:$PROV_PORT as $PROV_USER"
LDEVID_FPR=$(openssl x509 -in "$D/ldevid.pem" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
ok "LDevID fingerprint $LDEVID_FPR"

# ---------------------------------------------------------------------------------------------------
step "operator: trust the customer (ldevid) and manufacturer (idevid) CAs"
jq -n --rawfile pem "$FACTORY/customer-ca.pem" '{name: "shell-customer", purpose: "ldevid", pem: $pem}' > ta1.json
expect_http 201 "$(post_json /api/v1/trust-anchors ta1.out "@ta1.json")" ta1.out "customer CA"
jq -n --rawfile pem "$FACTORY/manufacturer-ca.pem" '{name: "shell-manufacturer", purpose: "idevid", pem: $pem}' > ta2.json
expect_http 201 "$(post_json /api/v1/trust-anchors ta2.out "@ta2.json")" ta2.out "manufacturer CA"

step "operator: enroll $DEV (by device id) and $OTHER (by LDevID fingerprint)"
expect_http 201 "$(post_json /api/v1/enrollments en1.out \
  "{\"deviceId\": \"$DEV\", \"approval\": \"auto\", \"application\": {\"site\": \"shell\", \"interval\": 5}}")" \
  en1.out "enrollment of $DEV"
OTHER_FPR=$(openssl x509 -in "$FACTORY/devices/$OTHER/ldevid.pem" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
expect_http 201 "$(post_json /api/v1/enrollments en3.out \
  "{\"ldevidFingerprint\": \"$OTHER_FPR\", \"approval\": \"auto\"}")" en3.out "enrollment of $OTHER"

# provision ID REQUEST-JSON OUT [extra mosquitto options...]: one request/response on the provisioning
# listener as device ID (its LDevID, client id = ID, factory credentials); the answer JSON goes to OUT
provision() {
  local id=$1 request=$2 out=$3; shift 3
  local dir="$FACTORY/devices/$id"
  timeout $((WAIT + 5)) mosquitto_rr -V mqttv5 -h "$PROV_HOST" -p "$PROV_PORT" --cafile prov-root.pem \
    --cert "$dir/ldevid.pem" --key "$dir/ldevid-key.pem" -i "$id" -u "$PROV_USER" -P "$PROV_PASS" -q 1 \
    -t "zto/v1/$id/provision/request" -e "zto/v1/$id/provision/response" -m "$request" -W "$WAIT" "$@" \
    > "$out" 2> "$out.err" || fail "provisioning request of $id got no answer (exit $?): $(cat "$out.err")"
  jq -e . "$out" >/dev/null || fail "provisioning answer of $id is not JSON: $(cat "$out")"
}

# ---------------------------------------------------------------------------------------------------
step "device: provision over MQTT (TLS with the LDevID, idevidProof as evidence)"
REQ1="shell-$(date +%s)-$$"
sh "$PROOF" "$D/idevid-key.pem" "$D/idevid.pem" "$D/ldevid.pem" "$DEV" "$REQ1" > proof1.jws \
  || fail "idevid-proof.sh could not make the proof of $DEV"
jq -n --arg id "$REQ1" --rawfile proof proof1.jws \
  '{requestId: $id, idevidProof: ($proof | rtrimstr("\n")), info: {agent: "shell-device.sh", firmware: "1.0.0"}}' \
  > req1.json
ok "idevidProof $(cut -d. -f1 proof1.jws | b64url_decode | jq -c '{alg, x5c: (.x5c | length)}') for $REQ1"
provision "$DEV" "$(cat req1.json)" prov1.json
[ "$(jq -r .status prov1.json)" = provisioned ] || fail "provisioning of $DEV: $(cat prov1.json)"
[ "$(jq -r .requestId prov1.json)" = "$REQ1" ] || fail "answer names requestId $(jq -r .requestId prov1.json)"
jq -e --arg d "$DEV" '.config.deviceId == $d and .config.mqtt.clientId == $d
  and (.config.est.challengePassword | length) >= 16 and (.config.mqtt.password | length) >= 16
  and .config.commandVerification.algorithm == "ES256" and .config.application.site == "shell"' prov1.json \
  >/dev/null || fail "config is incomplete: $(jq -c '.config | del(.. | .trustAnchors?, .certificate?)' prov1.json)"
ok "provisioned; config for $(jq -r .config.deviceId prov1.json), application $(jq -c .config.application prov1.json)"

jq -r .config > config.json < prov1.json
EST_URL=$(jq -r .est.url config.json)
CHALLENGE=$(jq -r .est.challengePassword config.json)
MQTT_URL=$(jq -r .mqtt.url config.json)
MQTT_HOST=$(host_of "$MQTT_URL"); MQTT_PORT=$(port_of "$MQTT_URL")
MQTT_ID=$(jq -r .mqtt.clientId config.json)
MQTT_USER=$(jq -r .mqtt.username config.json)
MQTT_PASS=$(jq -r .mqtt.password config.json)
jq -r .est.trustAnchors config.json > est-root.pem
jq -r .mqtt.trustAnchors config.json > mqtt-root.pem
jq -r .commandVerification.certificate config.json > command.pem
ok "EST $EST_URL, MQTT $MQTT_URL as $MQTT_ID"

step "device: the same requestId again gets the same answer"
provision "$DEV" "$(cat req1.json)" prov1again.json
jq -e --slurpfile a prov1.json '. == $a[0]' prov1again.json >/dev/null \
  || fail "a repeated requestId got another answer: $(jq -c 'del(.config)' prov1again.json)"
ok "identical answer, secrets included"

# ---------------------------------------------------------------------------------------------------
# csr NAME CN [CHALLENGE]: a new P-256 key NAME.key and a base64 DER CSR NAME.b64
csr() {
  local name=$1 cn=$2 challenge=${3:-}
  {
    printf '[req]\nprompt=no\ndistinguished_name=dn\n'
    [ -n "$challenge" ] && printf 'attributes=attrs\n'
    printf '[dn]\nCN=%s\n' "$cn"
    [ -n "$challenge" ] && printf '[attrs]\nchallengePassword=%s\n' "$challenge"
    true
  } > "$name.cnf"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" \
    -config "$name.cnf" -outform DER -out "$name.der" 2>/dev/null || fail "openssl could not make CSR $name"
  base64 "$name.der" > "$name.b64"
}
est_enroll() { # est_enroll CSRB64 OUT: POST to simpleenroll with the LDevID, prints the status
  timeout "$WAIT" curl -sS --cacert est-root.pem --cert "$D/ldevid.pem" --key "$D/ldevid-key.pem" \
    -H 'Content-Type: application/pkcs10' --data-binary "@$1" -o "$2" -w '%{http_code}' \
    "$EST_URL/simpleenroll" || fail "curl simpleenroll did not complete"
}

step "device: key and CSR with the challengePassword, EST simpleenroll with the LDevID"
csr device "$DEV" "$CHALLENGE"
expect_http 200 "$(est_enroll device.b64 enroll.out)" enroll.out "simpleenroll"
tr -d '\r' < enroll.out | base64 -d > enroll.p7 || fail "EST answer is not base64"
openssl pkcs7 -inform DER -in enroll.p7 -print_certs -out device-chain.pem || fail "EST answer is not PKCS#7"
openssl x509 -in device-chain.pem -out device.pem
timeout "$WAIT" curl -sS -f --cacert est-root.pem "$EST_URL/cacerts" | tr -d '\r' | base64 -d \
  | openssl pkcs7 -inform DER -print_certs -out cacerts.pem || fail "cacerts"
openssl verify -CAfile est-root.pem -untrusted cacerts.pem device.pem >/dev/null || fail "issued certificate does not verify"
openssl x509 -in device.pem -noout -subject -nameopt RFC2253 | grep -qx "subject=CN=$DEV" \
  || fail "issued subject is $(openssl x509 -in device.pem -noout -subject)"
openssl x509 -in device.pem -noout -ext extendedKeyUsage | grep -q 'TLS Web Client Authentication' \
  || fail "issued certificate lacks EKU clientAuth"
[ "$(openssl x509 -in device.pem -noout -pubkey | openssl dgst -sha256 -r)" = \
  "$(openssl pkey -in device.key -pubout | openssl dgst -sha256 -r)" ] || fail "issued certificate is not for our key"
SERIAL=$(openssl x509 -in device.pem -noout -serial | cut -d= -f2)
ok "issued $(openssl x509 -in device.pem -noout -subject), serial $SERIAL, $(openssl x509 -in device.pem -noout -enddate)"

# ---------------------------------------------------------------------------------------------------
OPER=(-V mqttv311 -h "$MQTT_HOST" -p "$MQTT_PORT" --cafile mqtt-root.pem --cert device.pem --key device.key
  -i "$MQTT_ID" -u "$MQTT_USER" -P "$MQTT_PASS")

step "device: connect to the operational listener and publish telemetry"
timeout "$WAIT" mosquitto_pub "${OPER[@]}" -q 1 -t "devices/$DEV/telemetry" \
  -m "{\"temperature\": 21.5, \"at\": \"$(date -u +%FT%TZ)\"}" 2> telemetry.err \
  || fail "telemetry publish refused: $(cat telemetry.err)"
ok "telemetry published at QoS 1"
api GET "/api/v1/devices/$DEV" device.json >/dev/null
[ "$(jq -r .state device.json)" = provisioned ] || fail "device state: $(cat device.json)"
ok "operator sees $DEV $(jq -r .state device.json)"

step "device: wait for a signed command; operator sends it"
# -d prints the SUBACK (stdbuf: line by line into the file), so the command is sent only once the
# subscription is in place
timeout $((WAIT + 5)) stdbuf -oL mosquitto_sub "${OPER[@]}" -q 1 -t "devices/$DEV/commands/+" -C 1 -W "$WAIT" -d \
  -F 'COMMAND %t %p' > commands.out 2> commands.err &
SUB=$!
deadline=$((SECONDS + WAIT))
until grep -q 'received SUBACK' commands.out; do
  kill -0 $SUB 2>/dev/null || fail "command subscription ended: $(cat commands.out commands.err)"
  [ $SECONDS -lt $deadline ] || fail "no SUBACK for devices/$DEV/commands/+"
  sleep 0.2
done
grep -q 'Subscribed (mid: [0-9]*): 1$' commands.out || fail "command subscription refused: $(cat commands.out)"
expect_http 201 "$(post_json "/api/v1/devices/$DEV/commands" cmd.json '{"name": "reboot", "args": {"delay": 5}}')" \
  cmd.json "command sent"
CMD_ID=$(jq -r .id cmd.json)
wait $SUB || fail "no command arrived on devices/$DEV/commands/+ (exit $?): $(cat commands.out commands.err)"
read -r _ TOPIC JWS < <(grep '^COMMAND ' commands.out) || fail "no command in: $(cat commands.out)"
[ "$TOPIC" = "devices/$DEV/commands/$CMD_ID" ] || fail "command arrived on $TOPIC, expected .../$CMD_ID"
ok "command $CMD_ID arrived on $TOPIC"

step "device: verify the ES256 JWS with openssl"
IFS=. read -r JWS_H JWS_P JWS_S <<<"$JWS"
[ -n "$JWS_S" ] || fail "not a JWS compact serialization: $JWS"
b64url_decode <<<"$JWS_H" > jws-header.json
b64url_decode <<<"$JWS_P" > jws-claims.json
b64url_decode <<<"$JWS_S" > jws-sig.bin
jq -e '.alg == "ES256"' jws-header.json >/dev/null || fail "JWS header: $(cat jws-header.json)"
KID=$(openssl x509 -in command.pem -outform DER | openssl dgst -sha256 -binary | b64url)
[ "$(jq -r .kid jws-header.json)" = "$KID" ] || fail "kid $(jq -r .kid jws-header.json) is not the certificate's $KID"
[ "$(stat -c %s jws-sig.bin)" = 64 ] || fail "ES256 signature is $(stat -c %s jws-sig.bin) bytes, not R||S (64)"
SIG_HEX=$(hex_of < jws-sig.bin)
printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "${SIG_HEX:0:64}" "${SIG_HEX:64:64}" > sig.cnf
openssl asn1parse -genconf sig.cnf -out jws-sig.der -noout || fail "could not DER-encode the signature"
printf '%s.%s' "$JWS_H" "$JWS_P" > jws-input.txt
openssl x509 -in command.pem -noout -pubkey > command-pub.pem
openssl dgst -sha256 -verify command-pub.pem -signature jws-sig.der jws-input.txt >/dev/null \
  || fail "the command's signature does not verify with commandVerification.certificate"
jq -e --arg d "$DEV" --arg c "$CMD_ID" --argjson now "$(date +%s)" \
  '.deviceId == $d and .commandId == $c and .name == "reboot" and .args.delay == 5 and .exp > $now and .iat <= $now + 60' \
  jws-claims.json >/dev/null || fail "claims: $(cat jws-claims.json)"
ok "signature verifies, kid matches, claims $(jq -c . jws-claims.json)"
# and a tampered JWS must not verify (the check above is not vacuous)
printf '%s.%s' "$JWS_H" "$(jq -c '.args.delay = 0' jws-claims.json | b64url)" > jws-tampered.txt
if openssl dgst -sha256 -verify command-pub.pem -signature jws-sig.der jws-tampered.txt >/dev/null 2>&1; then
  fail "a tampered command verified"
fi
ok "a tampered payload does not verify"

step "device: reply; operator sees the command completed"
timeout "$WAIT" mosquitto_pub "${OPER[@]}" -q 1 -t "devices/$DEV/commands/$CMD_ID/reply" \
  -m '{"status": "ok", "result": {"rebootingIn": 5}}' 2> reply.err || fail "reply refused: $(cat reply.err)"
deadline=$((SECONDS + WAIT))
while :; do
  api GET "/api/v1/commands/$CMD_ID" cmdstate.json >/dev/null
  [ "$(jq -r .status cmdstate.json)" = completed ] && break
  [ $SECONDS -lt $deadline ] || fail "command $CMD_ID not completed: $(cat cmdstate.json)"
  sleep 0.3
done
jq -e '.result.status == "ok" and .result.result.rebootingIn == 5' cmdstate.json >/dev/null \
  || fail "command result: $(cat cmdstate.json)"
ok "command $CMD_ID completed: $(jq -c .result cmdstate.json)"

# ===================================================================================================
# Bad inputs (issue 5): each refused with a reason, audited where the platform audits it
# ===================================================================================================

step "bad input: unknown device ($UNKNOWN: trusted CA, never enrolled)"
mark=$(audit_mark)
provision "$UNKNOWN" '{"requestId": "unknown-1"}' unknown.json
[ "$(jq -r .status unknown.json)" = rejected ] || fail "unknown device: $(cat unknown.json)"
[ -n "$(jq -r '.reason // empty' unknown.json)" ] || fail "unknown device rejected without a reason"
jq -e 'has("config") | not' unknown.json >/dev/null || fail "a rejected answer carries a config"
ok "rejected: $(jq -r .reason unknown.json)"
expect_audit "$mark" provisioning.request refused "$UNKNOWN" "unknown device"
api GET '/api/v1/devices?state=unknown' unknowns.json >/dev/null
jq -e --arg d "$UNKNOWN" '[.. | objects | select(.deviceId? == $d or .id? == $d)] | length > 0' unknowns.json >/dev/null \
  || fail "$UNKNOWN not listed under devices?state=unknown: $(cat unknowns.json)"
ok "listed for operators under devices?state=unknown"

# mqtt_refused WHAT EXPECTED-STDERR-REGEX mosquitto_pub-args...: the CONNECT must be refused
mqtt_refused() {
  local what=$1 pattern=$2; shift 2
  local rc=0
  timeout "$WAIT" mosquitto_pub "$@" > refused.out 2>&1 || rc=$?
  [ $rc -ne 0 ] || fail "$what: the connection was accepted"
  [ $rc -ne 124 ] || fail "$what: no CONNACK within ${WAIT}s"
  grep -Eqi "$pattern" refused.out || fail "$what: expected '$pattern', got (exit $rc): $(cat refused.out)"
  ok "$what: exit $rc, $(tr '\n' ' ' < refused.out)"
}
PROV3=(-h "$PROV_HOST" -p "$PROV_PORT" --cafile prov-root.pem --cert "$D/ldevid.pem" --key "$D/ldevid-key.pem")

step "bad input: wrong provisioning password"
mark=$(audit_mark)
mqtt_refused "wrong provisioning password" 'bad user ?name or password' -V mqttv311 "${PROV3[@]}" -i "$DEV" \
  -u "$PROV_USER" -P "not-the-$PROV_PASS" -q 1 -t "zto/v1/$DEV/provision/request" -m '{"requestId":"x"}'
expect_audit "$mark" mqtt.connect refused "$DEV" "wrong provisioning password"

step "bad input: client id not the certificate's ($DEV's LDevID as $OTHER)"
mark=$(audit_mark)
mqtt_refused "foreign client id" 'identifier rejected' -V mqttv311 "${PROV3[@]}" -i "$OTHER" \
  -u "$PROV_USER" -P "$PROV_PASS" -q 1 -t "zto/v1/$OTHER/provision/request" -m '{"requestId":"x"}'
expect_audit "$mark" mqtt.connect refused "$OTHER" "foreign client id"

step "bad input: a request on another device's topic ($DEV publishes to $OTHER's request topic)"
O="$FACTORY/devices/$OTHER"
# $OTHER listens on its own response topic: nothing may arrive there
timeout $((WAIT + 5)) stdbuf -oL mosquitto_sub -V mqttv311 -h "$PROV_HOST" -p "$PROV_PORT" --cafile prov-root.pem \
  --cert "$O/ldevid.pem" --key "$O/ldevid-key.pem" -i "$OTHER" -u "$PROV_USER" -P "$PROV_PASS" -q 1 \
  -t "zto/v1/$OTHER/provision/response" -C 1 -W 5 -d > other.out 2>&1 &
OTHER_SUB=$!
deadline=$((SECONDS + WAIT))
until grep -q 'received SUBACK' other.out; do
  kill -0 $OTHER_SUB 2>/dev/null || fail "$OTHER's subscription ended: $(cat other.out)"
  [ $SECONDS -lt $deadline ] || fail "no SUBACK for $OTHER"
  sleep 0.2
done
timeout "$WAIT" mosquitto_pub -V mqttv5 "${PROV3[@]}" -i "$DEV" -u "$PROV_USER" -P "$PROV_PASS" -q 1 -d \
  -t "zto/v1/$OTHER/provision/request" -m '{"requestId": "hijack-1"}' > foreign-topic.out 2>&1 || true
grep -Eq 'received PUBACK \(Mid: [0-9]+, RC:135\)' foreign-topic.out \
  || fail "publish to $OTHER's request topic: expected PUBACK reason 0x87 (135), got: $(cat foreign-topic.out)"
ok "PUBACK reason 0x87 not authorized"
rc=0; wait $OTHER_SUB || rc=$?
[ $rc -eq 27 ] || fail "$OTHER received something on its response topic (exit $rc): $(grep -v '^Client' other.out)"
ok "nothing reached $OTHER's response topic"
# subscribing to another device's response topic is refused too (SUBACK 0x80 in MQTT 3.1.1)
timeout "$WAIT" mosquitto_sub -V mqttv311 "${PROV3[@]}" -i "$DEV" -u "$PROV_USER" -P "$PROV_PASS" -q 1 \
  -t "zto/v1/$OTHER/provision/response" -C 1 -W 3 -d > foreign-sub.out 2>&1 || true
grep -Eq 'Subscribed \(mid: [0-9]+\): 128' foreign-sub.out \
  || fail "subscribe to $OTHER's response topic: expected SUBACK 0x80 (128), got: $(cat foreign-sub.out)"
ok "SUBACK 0x80 for $OTHER's response topic"

step "bad input: malformed JSON request"
mark=$(audit_mark)
provision "$DEV" '{"requestId": "broken-1", "info": ' malformed.json
[ "$(jq -r .status malformed.json)" = rejected ] || fail "malformed JSON: $(cat malformed.json)"
jq -r .reason malformed.json | grep -qi 'json' || fail "malformed JSON: the reason does not name the problem: $(cat malformed.json)"
ok "rejected: $(jq -r .reason malformed.json)"
expect_audit "$mark" provisioning.request refused "$DEV" "malformed JSON"
provision "$DEV" '{"requestId": 42}' badid.json
[ "$(jq -r .status badid.json)" = rejected ] || fail "numeric requestId: $(cat badid.json)"
jq -r .reason badid.json | grep -qi 'requestId' || fail "numeric requestId: the reason does not name it: $(cat badid.json)"
ok "requestId not a string: rejected: $(jq -r .reason badid.json)"
api GET "/api/v1/devices/$DEV" device-after.json >/dev/null
jq -e --arg r "$REQ1" '.state == "provisioned" and .lastRequestId == $r' device-after.json >/dev/null \
  || fail "the refused requests changed $DEV: $(cat device-after.json)"
ok "$DEV unchanged (state provisioned, last requestId $REQ1)"

step "bad input: tampered IDevID ($OTHER's proof carries its IDevID with one signature bit flipped)"
openssl x509 -in "$O/idevid.pem" -outform DER -out idevid.der
size=$(stat -c %s idevid.der)
last=$(tail -c 1 idevid.der | od -An -tu1 | tr -d ' ')
{ head -c $((size - 1)) idevid.der; printf "\\$(printf '%03o' $((last ^ 1)))"; } > idevid-tampered.der
openssl x509 -inform DER -in idevid-tampered.der -out idevid-tampered.pem || fail "tampered IDevID unreadable"
cmp -s idevid.der idevid-tampered.der && fail "tampering changed nothing"
mark=$(audit_mark)
# signed with $OTHER's real IDevID key, so only the certificate's own signature is wrong
sh "$PROOF" "$O/idevid-key.pem" idevid-tampered.pem "$O/ldevid.pem" "$OTHER" tampered-1 > tampered.jws \
  || fail "idevid-proof.sh could not make the tampered proof"
jq -n --rawfile proof tampered.jws '{requestId: "tampered-1", idevidProof: ($proof | rtrimstr("\n"))}' \
  > tampered-req.json
provision "$OTHER" "$(cat tampered-req.json)" tampered.json
[ "$(jq -r .status tampered.json)" = rejected ] || fail "tampered IDevID: $(jq -c 'del(.config)' tampered.json)"
jq -r .reason tampered.json | grep -qi 'idevid' || fail "tampered IDevID: the reason does not name the IDevID: $(cat tampered.json)"
ok "rejected: $(jq -r .reason tampered.json)"
expect_audit "$mark" provisioning.request refused "$OTHER" "tampered IDevID"
# nothing half-written: $OTHER is not provisioned
api GET "/api/v1/devices/$OTHER" other-device.json >/dev/null
[ "$(jq -r '.state // "absent"' other-device.json)" != provisioned ] \
  || fail "$OTHER is provisioned after a rejected request: $(cat other-device.json)"
ok "$OTHER not provisioned ($(jq -r '.state // .error' other-device.json))"

step "bad input: replayed EST challenge (the used challenge with a new key)"
mark=$(audit_mark)
csr replay "$DEV" "$CHALLENGE"
expect_http 403 "$(est_enroll replay.b64 replay.out)" replay.out "replayed challenge"
ok "reason: $(head -c 200 replay.out)"
expect_audit "$mark" est.simpleenroll refused "$DEV" "replayed challenge"

echo
echo "ALL SHELL DEVICE CHECKS PASSED"
