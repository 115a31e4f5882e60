#!/usr/bin/env bash
# Container health check: GET /health on the node's operator HTTP listener; healthy only on 200.
# Uses bash's /dev/tcp because the JRE image has no curl or wget (and a JVM per check is too heavy).
# ZTO_HTTP_PORT is the node's own setting (http.port); the listener is reached on loopback, which
# works whether http.host is 127.0.0.1 (the default) or 0.0.0.0.
set -u
port="${ZTO_HTTP_PORT:-8080}"
host="${HEALTHCHECK_HOST:-127.0.0.1}"
{ exec 3<>"/dev/tcp/${host}/${port}"; } 2>/dev/null || { echo "health: cannot connect to ${host}:${port}"; exit 1; }
printf 'GET /health HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "${host}" >&3
IFS= read -r -t 5 status <&3 || { echo "health: no answer from ${host}:${port}"; exit 1; }
exec 3<&-
case "${status}" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) echo "health: ${status%$'\r'}"; exit 1 ;;
esac
