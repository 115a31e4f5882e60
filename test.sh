#!/usr/bin/env bash
# The project's test command (README "The two commands"): installs what a fresh Debian machine lacks,
# lints the deployment files, then runs every test with `mvn -B verify` plus any arguments given, e.g.
#   ./test.sh                      # everything
#   ./test.sh -pl shared -am       # one module and what it needs
# Packages come from apt: as root directly, otherwise through sudo. `apt-get update` runs once, and only
# when something is missing. The tests start their own throwaway PostgreSQL (initdb on a free loopback
# port) unless ZTO_TEST_PG_URL names a server, so only the server binaries have to be installed.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
have java || missing+=(openjdk-17-jdk-headless)
have mvn || missing+=(maven)
have openssl || missing+=(openssl)
have curl || missing+=(curl)
have psql || missing+=(postgresql-client)
have runuser || missing+=(util-linux)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
{ have mosquitto_pub && have mosquitto_rr; } || missing+=(mosquitto-clients)
have jq || missing+=(jq)
/usr/bin/python3 -c 'import paho.mqtt' >/dev/null 2>&1 || missing+=(python3-paho-mqtt)
have yamllint || missing+=(yamllint)
# the operator console's browser tests (ConsoleIT) drive Debian's chromium through chromium-driver
have chromium || missing+=(chromium)
have chromedriver || missing+=(chromium-driver)

if ((${#missing[@]})); then
  if [[ "$(id -u)" == 0 ]]; then
    as_root=()
  elif have sudo; then
    as_root=(sudo)
  else
    echo "test.sh: missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# (|| true: head closing the pipe early must not end the run under pipefail)
java -version 2>&1 | head -1 || true
mvn -v 2>/dev/null | head -1 || true

# The deployment files (docs/deploy.md): YAML, systemd unit and HAProxy config lint, a second or two.
deploy/lint.sh

mvn -B verify "$@"
