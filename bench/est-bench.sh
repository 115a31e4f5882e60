#!/usr/bin/env bash
# EST benchmark: enrollments/s (fresh mutual-TLS connection each) at concurrency 1, 16, 64 next to the
# bare mutual-TLS connection rate of the same server in the same run. Not part of `mvn verify`.
#   bench/est-bench.sh [devices per level, default 128]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl deploy -am test -Dtest=EstBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dzto.bench=true -Dzto.test.timeout=2h -Dzto.bench.devices="${1:-128}"
grep -A4 'EST benchmark' deploy/target/surefire-reports/io.zto.deploy.bench.EstBench-output.txt
