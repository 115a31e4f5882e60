#!/bin/sh
# idevid-proof.sh KEY CHAIN LDEVID DEVICE_ID REQUEST_ID [IAT]
#
# Prints a device's idevidProof (contract section 9) made with openssl and jq only: a JWS compact
# serialization signed with the IDevID private key KEY (PEM), header {"alg", "x5c"} where x5c is the
# certificates of CHAIN (PEM: the IDevID first, then its intermediates) as standard base64 DER, claims
# {"requestId", "deviceId", "ldevidFingerprint" (lowercase hex SHA-256 of the LDevID certificate's DER),
# "iat" (seconds, now unless IAT is given)}. The algorithm follows the key: EC P-256 -> ES256,
# EC P-384 -> ES384, RSA -> PS256.
#
# openssl signs ECDSA as DER SEQUENCE {r, s}; JWS wants the raw big-endian r || s, each padded to the
# curve's size (RFC 7518 3.4). asn1parse prints r and s in hex; an OCTET STRING built from their
# padded concatenation by `asn1parse -genconf`, minus its 2-byte DER header, is those raw bytes.
set -eu

[ $# -ge 5 ] || { echo "usage: idevid-proof.sh KEY CHAIN LDEVID DEVICE_ID REQUEST_ID [IAT]" >&2; exit 2; }
KEY=$1 CHAIN=$2 LDEVID=$3 DEVICE_ID=$4 REQUEST_ID=$5 IAT=${6:-$(date +%s)}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

KEY_TEXT=$(openssl pkey -in "$KEY" -noout -text) || { echo "idevid-proof.sh: cannot read key $KEY" >&2; exit 1; }
case $KEY_TEXT in
  *"ASN1 OID: prime256v1"*) ALG=ES256 SIZE=32 ;;
  *"ASN1 OID: secp384r1"*) ALG=ES384 SIZE=48 ;;
  *modulus:*) ALG=PS256 SIZE= ;;
  *) echo "idevid-proof.sh: $KEY is not an EC P-256, EC P-384 or RSA key" >&2; exit 1 ;;
esac
case $ALG in ES384) DIGEST=-sha384 ;; *) DIGEST=-sha256 ;; esac

FINGERPRINT=$(openssl x509 -in "$LDEVID" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
[ ${#FINGERPRINT} -eq 64 ] || { echo "idevid-proof.sh: cannot read the LDevID $LDEVID" >&2; exit 1; }

# the base64 body of each PEM certificate block is its DER in standard base64: x5c as RFC 7515 4.1.6 wants
HEADER=$(tr -d '\r' < "$CHAIN" | jq -R -s -c --arg alg "$ALG" '{alg: $alg, x5c: [
    scan("-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----") | .[0] | gsub("\\s"; "")]}
  | if (.x5c | length) == 0 then error("no certificate") else . end') \
  || { echo "idevid-proof.sh: no certificate in $CHAIN" >&2; exit 1; }
CLAIMS=$(jq -n -c --arg r "$REQUEST_ID" --arg d "$DEVICE_ID" --arg f "$FINGERPRINT" --argjson iat "$IAT" \
  '{requestId: $r, deviceId: $d, ldevidFingerprint: $f, iat: $iat}')

INPUT=$(printf '%s' "$HEADER" | b64url).$(printf '%s' "$CLAIMS" | b64url)
printf '%s' "$INPUT" > "$TMP/input"

if [ "$ALG" = PS256 ]; then
  # RSASSA-PSS with SHA-256, MGF1 SHA-256 and a 32-byte salt (RFC 7518 3.5)
  openssl dgst -sha256 -sign "$KEY" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
    -sigopt rsa_mgf1_md:sha256 -out "$TMP/sig" "$TMP/input"
else
  openssl dgst "$DIGEST" -sign "$KEY" -out "$TMP/sig.der" "$TMP/input"
  RS=
  for part in $(openssl asn1parse -inform DER -in "$TMP/sig.der" | sed -n 's/.*prim: INTEGER *://p'); do
    while [ ${#part} -gt $((SIZE * 2)) ] && [ "${part#00}" != "$part" ]; do part=${part#00}; done
    while [ ${#part} -lt $((SIZE * 2)) ]; do part=0$part; done
    RS=$RS$part
  done
  [ ${#RS} -eq $((SIZE * 4)) ] || { echo "idevid-proof.sh: unexpected ECDSA signature from openssl" >&2; exit 1; }
  printf 'asn1=FORMAT:HEX,OCTETSTRING:%s\n' "$RS" > "$TMP/rs.cnf"
  openssl asn1parse -genconf "$TMP/rs.cnf" -out "$TMP/rs.der" -noout
  tail -c $((SIZE * 2)) "$TMP/rs.der" > "$TMP/sig"
fi

printf '%s.%s\n' "$INPUT" "$(b64url < "$TMP/sig")"
