#!/usr/bin/env bash
# EST the RFC 7030 appendix way, with curl and openssl only: cacerts, enroll, retry, wrong and replayed
# challenges, no client certificate, garbage body, wrong media type, oversize, fullcmc, re-enroll,
# revocation through the operator API, refused re-enrollment, and the CRL listing the revoked serial.
#
# Environment: EST (https://host:port/.well-known/est), API (http://host:port), TOKEN (operator token),
# ROOT (root CA PEM), LDEVID_CHAIN and LDEVID_KEY (the device's LDevID chain and key, PEM), DEVICE (its
# id), CHALLENGE (its one-time EST challenge), WORK (an empty directory).
set -euo pipefail
cd "$WORK"

step() { printf '== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

# status METHOD URL OUT [curl options...]: prints the HTTP status, body into OUT
status() {
  local method=$1 url=$2 out=$3; shift 3
  curl -sS --cacert "$ROOT" -o "$out" -w '%{http_code}' -X "$method" "$@" "$url"
}

expect() { # expect STATUS ACTUAL BODYFILE WHAT
  [ "$2" = "$1" ] || fail "$4: expected HTTP $1, got $2: $(cat "$3" 2>/dev/null)"
  printf '   HTTP %s %s\n' "$2" "$(head -c 200 "$3" 2>/dev/null | tr -d '\r' | head -n 1)"
}

csr() { # csr NAME CN [CHALLENGE]: new P-256 key NAME.key and base64 DER CSR NAME.b64
  local name=$1 cn=$2 challenge=${3:-}
  {
    printf '[req]\nprompt=no\ndistinguished_name=dn\n'
    [ -n "$challenge" ] && printf 'attributes=attrs\n'
    printf '[dn]\nCN=%s\n' "$cn"
    [ -n "$challenge" ] && printf '[attrs]\nchallengePassword=%s\n' "$challenge"
    true
  } > "$name.cnf"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" \
    -config "$name.cnf" -outform DER -out "$name.der" 2>/dev/null
  base64 "$name.der" > "$name.b64"
}

certs_of() { # certs_of BASE64FILE PEMFILE: the certificates of a certs-only answer
  tr -d '\r' < "$1" | base64 -d > "$1.p7"
  openssl pkcs7 -inform DER -in "$1.p7" -print_certs -out "$2"
}

serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2 | sed 's/^0*//' | tr 'A-F' 'a-f'; }

enroll() { # enroll OP CSRB64 OUT CERT KEY: POST a CSR with a client certificate
  status POST "$EST/$1" "$3" --cert "$4" --key "$5" -H 'Content-Type: application/pkcs10' --data-binary "@$2"
}

step "cacerts"
expect 200 "$(status GET "$EST/cacerts" cacerts.b64)" cacerts.b64 "cacerts"
certs_of cacerts.b64 cacerts.pem
[ "$(grep -c 'BEGIN CERTIFICATE' cacerts.pem)" = 2 ] || fail "cacerts should hold the issuing CA and the root"

step "simpleenroll without a client certificate"
csr first "$DEVICE" "$CHALLENGE"
expect 401 "$(status POST "$EST/simpleenroll" nocert.txt -H 'Content-Type: application/pkcs10' --data-binary @first.b64)" \
  nocert.txt "no client certificate"

step "garbage body"
printf 'this is not base64 !!!' > garbage.txt
expect 400 "$(enroll simpleenroll garbage.txt garbage.out "$LDEVID_CHAIN" "$LDEVID_KEY")" garbage.out "garbage body"

step "wrong media type"
expect 415 "$(status POST "$EST/simpleenroll" media.out --cert "$LDEVID_CHAIN" --key "$LDEVID_KEY" \
  -H 'Content-Type: text/plain' --data-binary @first.b64)" media.out "wrong media type"

step "oversize body"
head -c 70000 /dev/zero | base64 > big.b64
expect 413 "$(enroll simpleenroll big.b64 big.out "$LDEVID_CHAIN" "$LDEVID_KEY")" big.out "oversize body"

step "wrong challenge"
csr wrong "$DEVICE" "not-the-challenge"
expect 403 "$(enroll simpleenroll wrong.b64 wrong.out "$LDEVID_CHAIN" "$LDEVID_KEY")" wrong.out "wrong challenge"

step "fullcmc"
expect 501 "$(enroll fullcmc first.b64 cmc.out "$LDEVID_CHAIN" "$LDEVID_KEY")" cmc.out "fullcmc"

step "simpleenroll with the LDevID and the challenge"
expect 200 "$(enroll simpleenroll first.b64 first.out "$LDEVID_CHAIN" "$LDEVID_KEY")" first.out "simpleenroll"
certs_of first.out first.pem
openssl verify -CAfile "$ROOT" -untrusted cacerts.pem first.pem
openssl x509 -in first.pem -noout -subject | grep -q "CN *= *$DEVICE" || fail "subject is not CN=$DEVICE"
FIRST_SERIAL=$(serial_of first.pem)

step "retry with the same key and challenge (lost response) gets the same certificate"
expect 200 "$(enroll simpleenroll first.b64 retry.out "$LDEVID_CHAIN" "$LDEVID_KEY")" retry.out "retry"
certs_of retry.out retry.pem
[ "$(serial_of retry.pem)" = "$FIRST_SERIAL" ] || fail "a retry should return the same certificate"

step "replayed challenge with another key"
csr replay "$DEVICE" "$CHALLENGE"
expect 403 "$(enroll simpleenroll replay.b64 replay.out "$LDEVID_CHAIN" "$LDEVID_KEY")" replay.out "replayed challenge"

step "simplereenroll with the operational certificate"
csr renew "$DEVICE"
cat first.pem > first-chain.pem
expect 200 "$(enroll simplereenroll renew.b64 renew.out first-chain.pem first.key)" renew.out "simplereenroll"
certs_of renew.out renew.pem
RENEW_SERIAL=$(serial_of renew.pem)
[ "$RENEW_SERIAL" != "$FIRST_SERIAL" ] || fail "re-enrollment should issue a new certificate"

step "simplereenroll with the LDevID is refused"
expect 403 "$(enroll simplereenroll renew.b64 ldevid-renew.out "$LDEVID_CHAIN" "$LDEVID_KEY")" ldevid-renew.out \
  "re-enrollment with an LDevID"

step "revoke the renewed certificate through the operator API"
code=$(curl -sS -o revoke.json -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"reason": "keyCompromise"}' "$API/api/v1/certificates/$RENEW_SERIAL/revoke")
expect 200 "$code" revoke.json "revoke"

step "the revoked certificate cannot re-enroll"
csr again "$DEVICE"
expect 403 "$(enroll simplereenroll again.b64 again.out renew.pem renew.key)" again.out "revoked re-enrollment"

step "the CRL lists the revoked serial with its reason"
curl -sS -f -o issuing.crl "$API/crl/issuing.crl"
openssl crl -inform DER -in issuing.crl -noout -text > crl.txt
openssl crl -inform DER -in issuing.crl -noout -CAfile cacerts.pem 2>&1 | grep -q 'verify OK' || fail "CRL signature"
grep -iqE "Serial Number: 0*$RENEW_SERIAL\$" crl.txt || fail "CRL does not list $RENEW_SERIAL: $(cat crl.txt)"
grep -q "Key Compromise" crl.txt || fail "CRL does not give the reason"

step "AIA caIssuers URL serves the issuing CA"
AIA=$(openssl x509 -in first.pem -noout -ext authorityInfoAccess | sed -n 's/.*CA Issuers - URI:\(.*\)/\1/p' | tr -d ' ')
# the URL's path on this node's operator port (a test node binds port 0, so the URL names port 0)
curl -sS -f -o issuing.der "$API/${AIA#*://*/}"
openssl x509 -inform DER -in issuing.der -noout -subject

echo "ALL EST CURL/OPENSSL CHECKS PASSED"
