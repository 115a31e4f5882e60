package io.zto.shared.config;

import static io.zto.shared.config.ConfigType.BOOLEAN;
import static io.zto.shared.config.ConfigType.BYTE_SIZE;
import static io.zto.shared.config.ConfigType.DURATION;
import static io.zto.shared.config.ConfigType.INT;
import static io.zto.shared.config.ConfigType.OBJECT_LIST;
import static io.zto.shared.config.ConfigType.PORT;
import static io.zto.shared.config.ConfigType.STRING;
import static io.zto.shared.config.ConfigType.STRING_LIST;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry of every configuration key: the single source of truth for paths, types, defaults and
 * descriptions. Validation, the environment mapping, {@code --help} and {@code docs/configuration.md} all
 * read it. Add a key here and in the config record of its module; nothing else.
 */
public final class ConfigKeys {

  // filled by define() while the constants below initialise, in declaration order (= docs order)
  private static final List<ConfigKey> REGISTRY = new ArrayList<>();

  // ---- node
  public static final ConfigKey DATA_DIR = define(ConfigKey.of("dataDir", STRING, "./zto-data",
    "Directory for the embedded database, the CA keystore, the admin token and the provisioning credentials.")
    .withCheck(Checks.notBlank()));
  public static final ConfigKey PUBLIC_HOST = define(ConfigKey.of("publicHost", STRING, "localhost",
    "Host name devices use to reach this platform: put into URLs and server certificate SANs.")
    .withCheck(Checks.notBlank()));
  public static final ConfigKey ROLES = define(ConfigKey.of("roles", STRING_LIST, "broker,provisioning,est,crl",
    "What this node runs; a single node runs all.")
    .withChoices(Arrays.stream(Role.values()).map(Role::label).toArray(String[]::new)).withCheck(Checks.notEmptyList()));

  // ---- operator HTTP
  public static final ConfigKey HTTP_HOST = define(ConfigKey.of("http.host", STRING, "127.0.0.1",
    "Bind address of the operator HTTP API; localhost unless configured, since it is the admin interface."));
  public static final ConfigKey HTTP_PORT = define(ConfigKey.of("http.port", PORT, "8080",
    "Port of the operator HTTP API (/api/v1, /health, /metrics, /crl/)."));
  public static final ConfigKey HTTP_PUBLIC_BASE_URL = define(ConfigKey.of("http.publicBaseUrl", STRING, "",
    "Base URL put into CRL distribution points and AIA; empty: http://{publicHost}:{http.port}.")
    .withCheck(Checks.httpUrlOrEmpty()));
  public static final ConfigKey HTTP_MAX_BODY_SIZE = define(ConfigKey.of("http.maxBodySize", BYTE_SIZE, "16MiB",
    "Largest request body of a bulk enrollment import (POST /api/v1/enrollments:import); larger ones get 413.")
    .withCheck(Checks.atLeast(1024)));
  public static final ConfigKey HTTP_MAX_JSON_BODY_SIZE = define(ConfigKey.of("http.maxJsonBodySize", BYTE_SIZE,
    "256KiB", "Largest request body of every other operator API call (JSON); larger ones get 413.")
    .withCheck(Checks.atLeast(1024)));
  public static final ConfigKey HTTP_IDLE_TIMEOUT = define(ConfigKey.of("http.idleTimeout", DURATION, "5m",
    "Operator HTTP connections on which nothing is read or written this long are closed (also while a slow"
      + " request is being handled, so longer than the slowest API call).")
    .withCheck(Checks.durationBetween(Duration.ofSeconds(1), Duration.ofDays(1))));
  public static final ConfigKey HTTP_MAX_HEADER_SIZE = define(ConfigKey.of("http.maxHeaderSize", BYTE_SIZE, "8KiB",
    "Largest request header block of the operator HTTP listener; larger ones get 431.")
    .withCheck(Checks.range(1024, 1024 * 1024)));
  public static final ConfigKey HTTP_MAX_INITIAL_LINE_LENGTH = define(ConfigKey.of("http.maxInitialLineLength",
    BYTE_SIZE, "4KiB", "Longest request line (method, path, query) of the operator HTTP listener; longer ones get 414.")
    .withCheck(Checks.range(256, 1024 * 1024)));
  public static final ConfigKey HTTP_REQUEST_HEAD_TIMEOUT = define(ConfigKey.of("http.requestHeadTimeout", DURATION,
    "30s", "Kept-alive operator HTTP connections whose next request line and headers have not fully arrived this"
      + " long after the last response are closed (a client trickling its headers is never idle).")
    .withCheck(Checks.durationBetween(Duration.ofSeconds(1), Duration.ofHours(1))));

  // ---- EST
  public static final ConfigKey EST_HOST = define(ConfigKey.of("est.host", STRING, "0.0.0.0",
    "Bind address of the EST (RFC 7030) HTTPS listener."));
  public static final ConfigKey EST_PORT = define(ConfigKey.of("est.port", PORT, "8443",
    "Port of the EST HTTPS listener."));
  public static final ConfigKey EST_CERTIFICATE_VALIDITY = define(ConfigKey.of("est.certificateValidity", DURATION, "90d",
    "Validity of issued operational device certificates.").withCheck(Checks.positiveDuration()));
  public static final ConfigKey EST_MAX_BODY_SIZE = define(ConfigKey.of("est.maxBodySize", BYTE_SIZE, "64KiB",
    "Largest EST request body; larger requests get 413.").withCheck(Checks.atLeast(1024)));
  public static final ConfigKey EST_IDLE_TIMEOUT = define(ConfigKey.of("est.idleTimeout", DURATION, "60s",
    "EST connections on which nothing is read or written this long are closed.")
    .withCheck(Checks.durationBetween(Duration.ofSeconds(1), Duration.ofDays(1))));
  public static final ConfigKey EST_MAX_HEADER_SIZE = define(ConfigKey.of("est.maxHeaderSize", BYTE_SIZE, "8KiB",
    "Largest request header block of the EST listener; larger ones get 431.")
    .withCheck(Checks.range(1024, 1024 * 1024)));
  public static final ConfigKey EST_MAX_INITIAL_LINE_LENGTH = define(ConfigKey.of("est.maxInitialLineLength",
    BYTE_SIZE, "4KiB", "Longest request line of the EST listener; longer ones get 414.")
    .withCheck(Checks.range(256, 1024 * 1024)));
  public static final ConfigKey EST_REQUEST_HEAD_TIMEOUT = define(ConfigKey.of("est.requestHeadTimeout", DURATION,
    "30s", "Kept-alive EST connections whose next request line and headers have not fully arrived this long after"
      + " the last response are closed.")
    .withCheck(Checks.durationBetween(Duration.ofSeconds(1), Duration.ofHours(1))));
  public static final ConfigKey EST_RETRY_AFTER = define(ConfigKey.of("est.retryAfter", DURATION, "60s",
    "Retry-After sent with 202 while an enrollment awaits manual approval.").withCheck(Checks.positiveDuration()));
  public static final ConfigKey EST_PROFILES = define(ConfigKey.of("est.profiles", OBJECT_LIST, "",
    "EST labels (/.well-known/est/{name}/...): [{name, validity, approval: auto|manual}]; file only.")
    .withCheck(Checks.estProfiles()));

  // ---- MQTT
  public static final ConfigKey MQTT_HOST = define(ConfigKey.of("mqtt.host", STRING, "0.0.0.0",
    "Bind address of all MQTT listeners."));
  public static final ConfigKey MQTT_OPERATIONAL_PORT = define(ConfigKey.of("mqtt.operational.port", PORT, "8883",
    "Port of the operational MQTT listener (TLS, operational certificate required)."));
  public static final ConfigKey MQTT_PROVISIONING_PORT = define(ConfigKey.of("mqtt.provisioning.port", PORT, "8884",
    "Port of the provisioning MQTT listener (TLS, LDevID required)."));
  public static final ConfigKey MQTT_PLAIN_ENABLED = define(ConfigKey.of("mqtt.plain.enabled", BOOLEAN, "false",
    "Enable the plain-TCP MQTT listener (development and conformance tests only)."));
  public static final ConfigKey MQTT_PLAIN_PORT = define(ConfigKey.of("mqtt.plain.port", PORT, "1883",
    "Port of the plain-TCP MQTT listener."));
  public static final ConfigKey MQTT_PLAIN_ALLOW_ANONYMOUS = define(ConfigKey.of("mqtt.plain.allowAnonymous", BOOLEAN,
    "false", "Let anonymous clients on the plain listener use any topic (development and conformance suites only)."));
  public static final ConfigKey MQTT_MAX_MESSAGE_SIZE = define(ConfigKey.of("mqtt.maxMessageSize", BYTE_SIZE, "256KiB",
    "Largest MQTT packet accepted (the MQTT limit is 256MiB - 1).").withCheck(Checks.range(1024, 268_435_455)));
  public static final ConfigKey MQTT_MAX_CLIENT_ID_LENGTH = define(ConfigKey.of("mqtt.maxClientIdLength", INT, "64",
    "Longest MQTT client id; at least 64, the longest device id.").withCheck(Checks.range(64, 65_535)));
  public static final ConfigKey MQTT_SESSION_EXPIRY_MAX = define(ConfigKey.of("mqtt.sessionExpiryMax", DURATION, "7d",
    "Upper bound of the session expiry a client may ask for."));
  public static final ConfigKey MQTT_OFFLINE_QUEUE_MAX = define(ConfigKey.of("mqtt.offlineQueueMax", INT, "1000",
    "Messages queued per offline persistent session before the oldest are dropped.").withCheck(Checks.atLeast(0)));
  public static final ConfigKey MQTT_CLIENT_QUEUE_MAX = define(ConfigKey.of("mqtt.clientQueueMax", INT, "1000",
    "QoS 1/2 messages waiting for a connected subscriber's window before it is disconnected as too slow (0x97);"
    + " also the QoS 0 writes in progress per client before further QoS 0 messages are dropped.")
    .withCheck(Checks.range(1, 1_000_000)));
  public static final ConfigKey MQTT_PROXY_PROTOCOL = define(ConfigKey.of("mqtt.proxyProtocol", BOOLEAN, "false",
    "Expect a PROXY protocol header (v1 or v2) before TLS on the operational and provisioning listeners, as a TCP"
    + " load balancer sends it (HAProxy send-proxy-v2): audit entries then show the device's address, not the"
    + " balancer's. Only behind such a balancer: a client connecting directly is closed."));
  public static final ConfigKey MQTT_RECEIVE_MAXIMUM = define(ConfigKey.of("mqtt.receiveMaximum", INT, "64",
    "Receive Maximum the broker announces: unreleased QoS 2 messages a client may have towards it.")
    .withCheck(Checks.range(1, 65_535)));
  public static final ConfigKey MQTT_PROVISIONING_MAX_MESSAGE_SIZE = define(ConfigKey.of(
    "mqtt.provisioning.maxMessageSize", BYTE_SIZE, "64KiB",
    "Largest MQTT packet on the provisioning listener, which devices reach before they are onboarded (capped by"
    + " mqtt.maxMessageSize); larger packets get DISCONNECT 0x95.").withCheck(Checks.range(1024, 268_435_455)));
  public static final ConfigKey MQTT_MAX_TOPIC_LEVELS = define(ConfigKey.of("mqtt.maxTopicLevels", INT, "32",
    "Most levels in a topic name or filter (PUBLISH, SUBSCRIBE, will); deeper ones are refused (MQTT 5 0x90/0x8F).")
    .withCheck(Checks.range(1, 65_535)));
  public static final ConfigKey MQTT_MAX_TOPIC_LENGTH = define(ConfigKey.of("mqtt.maxTopicLength", INT, "1024",
    "Longest topic name or filter in characters ($share prefix included); longer ones are refused (MQTT 5 0x90/0x8F).")
    .withCheck(Checks.range(64, 65_535)));
  public static final ConfigKey MQTT_MAX_SUBSCRIPTIONS_PER_SESSION = define(ConfigKey.of(
    "mqtt.maxSubscriptionsPerSession", INT, "100",
    "Subscriptions one session may hold; further SUBSCRIBE filters get 0x97 quota exceeded (3.1.1: 0x80).")
    .withCheck(Checks.range(1, 1_000_000)));
  public static final ConfigKey MQTT_MAX_RETAINED_PER_CLIENT = define(ConfigKey.of("mqtt.maxRetainedPerClient", INT,
    "100", "Retained topics one client may hold; a retained PUBLISH on a further topic is refused (PUBACK 0x97).")
    .withCheck(Checks.range(0, 1_000_000)));
  public static final ConfigKey MQTT_MAX_RETAINED_TOTAL = define(ConfigKey.of("mqtt.maxRetainedTotal", INT, "10000",
    "Retained topics on the node in total; a retained PUBLISH on a further topic is refused (PUBACK 0x97).")
    .withCheck(Checks.range(0, 10_000_000)));
  public static final ConfigKey MQTT_MAX_RETAINED_BYTES = define(ConfigKey.of("mqtt.maxRetainedBytes", BYTE_SIZE,
    "64MiB", "Payload bytes of all retained messages on the node; a retained PUBLISH beyond it is refused (0x97).")
    .withCheck(Checks.range(0, 1L << 40)));
  public static final ConfigKey MQTT_MAX_WILL_SIZE = define(ConfigKey.of("mqtt.maxWillSize", BYTE_SIZE, "16KiB",
    "Largest will payload a CONNECT may carry; larger ones are refused (CONNACK 0x95; 3.1.1: connection closed).")
    .withCheck(Checks.range(0, 268_435_455)));
  public static final ConfigKey MQTT_SERVICE_ACCOUNTS = define(ConfigKey.of("mqtt.serviceAccounts", OBJECT_LIST, "",
    "Back-end accounts on the operational listener: [{username, passwordHash, publish: [topic filters],"
    + " subscribe: [topic filters]}]; file only. The older allow: [topic filters] still works and counts for both"
    + " lists. Never under zto/ (reserved for the platform), whatever the lists say.")
    .withCheck(Checks.serviceAccounts()));

  // ---- database
  public static final ConfigKey DB_URL = define(ConfigKey.of("db.url", STRING, "",
    "Empty: embedded SQLite in the data dir; sqlite:PATH; or postgresql://user:pass@host:port/db.")
    .withCheck(Checks.dbUrl()));
  public static final ConfigKey DB_POOL_SIZE = define(ConfigKey.of("db.poolSize", INT, "8",
    "Connections in the database pool (PostgreSQL; SQLite uses one writer).").withCheck(Checks.range(1, 1000)));

  // ---- cluster
  public static final ConfigKey CLUSTER_ENABLED = define(ConfigKey.of("cluster.enabled", BOOLEAN, "false",
    "Join a cluster of nodes sharing the event bus."));
  public static final ConfigKey CLUSTER_MEMBERS = define(ConfigKey.of("cluster.members", STRING_LIST, "",
    "Seed members as host[:port] (port defaults to cluster.port).").withCheck(Checks.hostPorts()));
  public static final ConfigKey CLUSTER_HOST = define(ConfigKey.of("cluster.host", STRING, "127.0.0.1",
    "Address this node's cluster and event-bus traffic binds to and advertises.").withCheck(Checks.notBlank()));
  public static final ConfigKey CLUSTER_PORT = define(ConfigKey.of("cluster.port", PORT, "5701",
    "Port of the cluster membership protocol."));
  public static final ConfigKey CLUSTER_EVENT_BUS_PORT = define(ConfigKey.of("cluster.eventBusPort", PORT, "5710",
    "Port of the event bus between nodes (mutual TLS unless cluster.eventBusTls is false); open it between nodes"
    + " only. 0: any free port (tests)."));
  public static final ConfigKey CLUSTER_EVENT_BUS_TLS = define(ConfigKey.of("cluster.eventBusTls", BOOLEAN, "true",
    "Mutual TLS on the event bus between nodes: each node presents its server certificate, and only certificates"
    + " of this cluster's issuing CA with serverAuth are accepted. false only inside a network nobody else reaches."));
  public static final ConfigKey CLUSTER_NAME = define(ConfigKey.of("cluster.name", STRING, "zto",
    "Cluster name; only nodes with the same name join each other.").withCheck(Checks.notBlank()));
  public static final ConfigKey CLUSTER_SECRET_FILE = define(ConfigKey.of("cluster.secretFile", STRING, "",
    "File whose first line is the cluster secret (the same on every node, at least 16 characters): it seals the CA"
    + " keys, operator token and provisioning credentials the nodes share through PostgreSQL. Empty: each node"
    + " uses its own data dir's, which must then be the same on every node (seeded, see deploy.md)."));
  public static final ConfigKey CLUSTER_LEASE_TTL = define(ConfigKey.of("cluster.leaseTtl", DURATION, "15s",
    "How long a leader's lease (e.g. of CRL renewal) lasts without renewal; another node takes over within it"
    + " plus a third of it after the leader dies.").withCheck(Checks.positiveDuration()));

  // ---- PKI
  public static final ConfigKey PKI_KEYSTORE = define(ConfigKey.of("pki.keystore", STRING, "",
    "PKCS#12 keystore of the CA keys, created on first start; empty: {dataDir}/ca.p12."));
  public static final ConfigKey PKI_KEYSTORE_PASSWORD_FILE = define(ConfigKey.of("pki.keystorePasswordFile", STRING, "",
    "File holding the keystore password, created on first start; empty: {dataDir}/ca.p12.password."));
  public static final ConfigKey PKI_ROOT_ALIAS = define(ConfigKey.of("pki.rootAlias", STRING, "root",
    "Keystore alias of the root CA.").withCheck(Checks.notBlank()));
  public static final ConfigKey PKI_ISSUING_ALIAS = define(ConfigKey.of("pki.issuingAlias", STRING, "issuing",
    "Keystore alias of the issuing CA that signs device and server certificates.").withCheck(Checks.notBlank()));
  public static final ConfigKey PKI_COMMAND_SIGNING_ALIAS = define(ConfigKey.of("pki.commandSigningAlias", STRING,
    "command-signing", "Keystore alias of the key that signs remote-management commands.").withCheck(Checks.notBlank()));
  public static final ConfigKey PKI_ROOT_VALIDITY = define(ConfigKey.of("pki.rootValidity", DURATION, "7300d",
    "Validity of a newly created root CA certificate.").withCheck(Checks.positiveDuration()));
  public static final ConfigKey PKI_ISSUING_VALIDITY = define(ConfigKey.of("pki.issuingValidity", DURATION, "1825d",
    "Validity of a newly created issuing CA certificate.").withCheck(Checks.positiveDuration()));
  public static final ConfigKey PKI_SERVER_CERTIFICATE_VALIDITY = define(ConfigKey.of("pki.serverCertificateValidity",
    DURATION, "365d", "Validity of the server TLS certificate made on first start.").withCheck(Checks.positiveDuration()));
  public static final ConfigKey PKI_TLS_ENGINE = define(ConfigKey.of("pki.tlsEngine", STRING, "auto",
    "TLS engine of the listeners: openssl (BoringSSL through netty-tcnative, bundled for linux-x86_64; faster"
      + " handshakes), jdk (the JDK's SSLEngine), or auto (openssl where it loads, else jdk).")
    .withChoices("auto", "openssl", "jdk"));

  // ---- provisioning
  public static final ConfigKey PROVISIONING_CHALLENGE_TTL = define(ConfigKey.of("provisioning.challengeTtl", DURATION,
    "30m", "How long a one-time EST challenge password stays valid.").withCheck(Checks.positiveDuration()));
  public static final ConfigKey PROVISIONING_REQUEST_ID_WINDOW = define(ConfigKey.of("provisioning.requestIdWindow",
    DURATION, "10m", "A request repeated with the same requestId within this window gets the same answer."));
  public static final ConfigKey PROVISIONING_RENEWAL_WARNING_PERCENT = define(ConfigKey.of(
    "provisioning.renewalWarningPercent", INT, "20", "A certificate whose device has not renewed it is due (metric,"
      + " audit, API field renewal.due) once this percentage of its lifetime is left.").withCheck(Checks.range(1, 99)));
  public static final ConfigKey PROVISIONING_RENEWAL_CHECK_INTERVAL = define(ConfigKey.of(
    "provisioning.renewalCheckInterval", DURATION, "1m", "How often each provisioning node looks for certificates due"
      + " for renewal (one node audits each once).").withCheck(Checks.positiveDuration()));
  public static final ConfigKey PROVISIONING_UNKNOWN_REQUEST_RETENTION = define(ConfigKey.of(
    "provisioning.unknownRequestRetention", DURATION, "7d", "Provisioning requests of devices nobody registered"
      + " (state unknown) are deleted once this old; the device itself stays listed.")
    .withCheck(Checks.durationBetween(Duration.ofMinutes(1), Duration.ofDays(36500))));

  // ---- CRL
  public static final ConfigKey CRL_DEFAULT_REFRESH = define(ConfigKey.of("crl.defaultRefresh", DURATION, "1h",
    "Refresh interval of an external CRL source that names none.").withCheck(Checks.positiveDuration()));
  public static final ConfigKey CRL_NEXT_UPDATE_INTERVAL = define(ConfigKey.of("crl.nextUpdateInterval", DURATION, "1d",
    "How often our own CRLs are reissued (their nextUpdate).").withCheck(Checks.positiveDuration()));
  public static final ConfigKey CRL_FETCH_TIMEOUT = define(ConfigKey.of("crl.fetchTimeout", DURATION, "30s",
    "Timeout of one download of an external CRL.").withCheck(Checks.positiveDuration()));

  // ---- audit
  public static final ConfigKey AUDIT_RETENTION = define(ConfigKey.of("audit.retention", DURATION, "90d",
    "Audit log rows older than this are deleted (checked every minute by the provisioning nodes).")
    .withCheck(Checks.durationBetween(Duration.ofHours(1), Duration.ofDays(36500))));
  public static final ConfigKey AUDIT_REFUSAL_WINDOW = define(ConfigKey.of("audit.refusalWindow", DURATION, "1m",
    "Refusals of unauthenticated operator API calls from one address, for one reason, within this window are one"
      + " audit row with a count.").withCheck(Checks.durationBetween(Duration.ofSeconds(1), Duration.ofHours(1))));

  // ---- logging
  public static final ConfigKey LOG_LEVEL = define(ConfigKey.of("log.level", STRING, "info",
    "Root log level.").withChoices("trace", "debug", "info", "warn", "error"));

  private static final List<ConfigKey> ALL = Collections.unmodifiableList(new ArrayList<>(REGISTRY));
  private static final Map<String, ConfigKey> BY_PATH = index(false);
  private static final Map<String, ConfigKey> BY_ENV = index(true);

  private ConfigKeys() {
  }

  private static ConfigKey define(ConfigKey key) {
    REGISTRY.add(key);
    return key;
  }

  private static Map<String, ConfigKey> index(boolean env) {
    Map<String, ConfigKey> map = new LinkedHashMap<>();
    for (ConfigKey key : REGISTRY) {
      for (String name : env ? key.envNames() : List.of(key.path())) {
        if (map.put(name, key) != null) {
          throw new IllegalStateException("two keys map to " + name);
        }
      }
    }
    return Collections.unmodifiableMap(map);
  }

  /** @return every key, in documentation order */
  public static List<ConfigKey> all() {
    return ALL;
  }

  /**
   * @param path a dotted path, exactly as declared (case matters)
   * @return the key
   */
  public static Optional<ConfigKey> find(String path) {
    return Optional.ofNullable(BY_PATH.get(path));
  }

  /**
   * @param envName an environment variable name, e.g. {@code ZTO_HTTP_PORT}
   * @return the key it sets
   */
  public static Optional<ConfigKey> findByEnv(String envName) {
    return Optional.ofNullable(BY_ENV.get(envName));
  }

  /** @return every accepted environment variable name */
  public static List<String> envNames() {
    return List.copyOf(BY_ENV.keySet());
  }

  /** @return every path */
  public static List<String> paths() {
    return List.copyOf(BY_PATH.keySet());
  }
}
