#!/usr/bin/env bash
# Revocation benchmark: external CRL sync time for 10,000 and 100,000 entries next to `openssl crl -verify`
# of the same file (same run), and, with N devices connected to the provisioning listener over mutual TLS,
# the time from a revocation to the session drop: through the API and through the external CRL changing.
# Not part of `mvn verify`.
#   bench/revocation-bench.sh [devices connected, default 1000; 10000 needs ~20,000 file descriptors]
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 30000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
mvn -B -q -o -pl deploy -am test -Dtest=RevocationBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dzto.bench=true -Dzto.test.timeout=2h -Dzto.bench.devices="${1:-1000}"
grep -A6 'Revocation benchmark' deploy/target/surefire-reports/io.zto.deploy.bench.RevocationBench-output.txt
