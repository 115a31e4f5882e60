#!/bin/sh
# Entry point of the zto image: optional cluster seeding, optional database URL from a secret file,
# then the node in the foreground (exec, so it gets SIGTERM and stops cleanly).
#
# SEED_DIR  a directory with the installation-wide secrets every node of a cluster must share:
#           admin-token and provisioning-credentials.json are copied into the data dir when absent
#           (zto reuses files it finds there). The CA keystore is not copied: point pki.keystore and
#           pki.keystorePasswordFile at it, so it stays read-only and out of the node's volume.
# DB_URL_FILE  a file holding the PostgreSQL URL (a Docker/Compose secret); exported as ZTO_DB_URL.
# JAR_FILE  the jar to run (default /opt/zto/zto.jar).
# None starts with ZTO_, because zto warns about ZTO_* variables that are not configuration keys.
set -eu

data_dir="${ZTO_DATA_DIR:-/var/lib/zto}"

if [ -n "${SEED_DIR:-}" ]; then
  for file in admin-token provisioning-credentials.json; do
    if [ ! -e "${data_dir}/${file}" ]; then
      if [ ! -r "${SEED_DIR}/${file}" ]; then
        echo "zto-entrypoint: SEED_DIR=${SEED_DIR} has no readable ${file}" >&2
        exit 2
      fi
      install -m 0600 "${SEED_DIR}/${file}" "${data_dir}/${file}"
    fi
  done
fi

if [ -n "${DB_URL_FILE:-}" ]; then
  ZTO_DB_URL="$(cat "${DB_URL_FILE}")"
  export ZTO_DB_URL
fi

# JAVA_OPTS is split on spaces on purpose (one flag per word).
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -jar "${JAR_FILE:-/opt/zto/zto.jar}" "$@"
