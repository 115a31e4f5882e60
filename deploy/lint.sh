#!/usr/bin/env bash
# Lints the deployment files (docs/deploy.md) with what Debian offers; .ci/run calls it before the tests.
# yamllint is required; systemd-analyze and haproxy are used when installed. DeployFilesTest checks the
# same files against the configuration keys.
set -euo pipefail
cd "$(dirname "$0")"

yamllint -s .

if command -v systemd-analyze >/dev/null 2>&1; then
  # verify prints problems but exits 0 for most of them: any output fails
  out=$(systemd-analyze verify systemd/zto.service 2>&1 || true)
  if [[ -n "${out}" ]]; then
    echo "${out}" >&2
    exit 1
  fi
fi

if command -v haproxy >/dev/null 2>&1; then
  # the nodes' names resolve only inside compose (init-addr none lets the check pass without them)
  haproxy -c -q -f compose/haproxy.cfg
fi

bash -n docker/healthcheck.sh
sh -n docker/zto-entrypoint.sh
echo "deploy files: lint ok"
