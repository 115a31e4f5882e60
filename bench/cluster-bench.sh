#!/usr/bin/env bash
# Cluster benchmark: device onboardings/s (provision + EST enroll + operational connect, 32 devices in flight,
# spread over the nodes by their agents) with 1, 2 and 3 zto.jar nodes over one PostgreSQL on this machine,
# and QoS 1 publish-to-delivery latency same-node vs cross-node (ratio) on the 3-node cluster.
# Nodes, PostgreSQL and the device agents all share this machine's cores: with 2 cores, more nodes cannot add
# CPU, so the figures show what clustering costs (bus hops, Hazelcast, more JVMs), not how it scales on more
# machines. Not part of `mvn verify`.
#   bench/cluster-bench.sh [devices per run, default 150]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl deploy -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ClusterBenchIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dzto.bench=true -Dzto.test.timeout=2h -Dzto.bench.devices="${1:-150}"
cat deploy/target/cluster-bench.txt
