package io.zto.shared.bus;

/**
 * Every event-bus address of the platform, in one place. Messages are JSON ({@code JsonObject}
 * bodies built by the records of this package), so they cross a cluster without custom codecs.
 *
 * <p>Failures are answered with {@code message.fail(code, text)}, where {@code code} is the HTTP
 * status that fits ({@link BusFailure}) and {@code text} a message a person understands.
 *
 * <p>Walk of a device through them: broker (CONNECT, provisioning request) {@link #PROVISIONING_REQUEST}
 * → provisioning (match, config) → {@link #BROKER_DELIVER} → broker (answer to the device) → EST (enroll)
 * → broker (operational CONNECT) → crl ({@link #REVOCATION_EVENTS}) → broker (drop).
 */
public final class Addresses {

  private static final String PREFIX = "zto.";

  /** Request, broker → provisioning: a device asked to be provisioned ({@link ProvisioningRequestMessage}). */
  public static final String PROVISIONING_REQUEST = PREFIX + "provisioning.request";

  /**
   * Request, API → provisioning: an operator decides a pending request
   * ({@code {"id": <request row id>, "decision": "approve"|"reject", "reason": ..., "actor": ...}}). The
   * reply is the request's new state; the device hears the answer on its response topic.
   */
  public static final String PROVISIONING_DECIDE = PREFIX + "provisioning.decide";

  /**
   * Publish, any → every broker node: deliver a message to a topic as if published by the platform
   * ({@link DeliverMessage}); each node hands it to its own matching sessions.
   */
  public static final String BROKER_DELIVER = PREFIX + "broker.deliver";

  /**
   * Publish, broker → every broker node: a message a client published on one node (JSON of the
   * broker's message, with the {@code origin} node id); the other nodes deliver it to their sessions.
   */
  public static final String BROKER_ROUTE = PREFIX + "broker.route";

  /**
   * Request, broker → the broker of one node (by its cluster node id): a QoS 1 or 2 message a client
   * published on another node, as on {@link #BROKER_ROUTE}. The node answers once its sessions have it;
   * the publisher's node acknowledges the client only after every broker node answered.
   */
  public static String brokerRoute(String clusterNodeId) {
    return BROKER_ROUTE + "." + clusterNodeId;
  }

  /**
   * Publish, broker → every broker node: a client ({@link SessionClaim}) connected to the named node. The
   * other nodes close their connection of that client id (MQTT 5: DISCONNECT 0x8E session taken over)
   * and hand its session over: stored and forgotten, or discarded for a clean start.
   */
  public static final String BROKER_SESSION_TAKEN = PREFIX + "broker.session.taken";

  /** Publish, any → every broker node: drop the sessions of a device or certificate ({@link DropSessions}). */
  public static final String BROKER_DROP_SESSIONS = PREFIX + "broker.drop-sessions";

  /**
   * Publish, crl (the revocation service) → everyone: a certificate or device became blocked or unblocked
   * ({@link RevocationEvent}). Brokers drop sessions, EST and provisioning refuse.
   */
  public static final String REVOCATION_EVENTS = PREFIX + "revocation.events";

  /**
   * Request, API / EST → crl: the revocation service, the one owner of revoking and blocking
   * ({@link RevocationRequest}). Any crl node answers (its state is in the database): it stores the
   * change, announces it on {@link #REVOCATION_EVENTS}, reissues the platform CRL when a certificate of
   * it changed, and audits it; the reply is the outcome, a failure carries a {@link BusFailure} status.
   */
  public static final String REVOCATION_REQUEST = PREFIX + "revocation.request";

  /**
   * Publish, API → every node: trust anchors were added or removed ({@code {}}); the nodes' trust-anchor
   * caches read them again (see {@code TrustAnchorCache}).
   */
  public static final String TRUST_ANCHORS_CHANGED = PREFIX + "trust-anchors.changed";

  /** Request, API → crl: reissue the CRL of one of the platform's CAs now ({@code {"ca": "issuing"}}). */
  public static final String CRL_REISSUE = PREFIX + "crl.reissue";

  /** Request, API → crl: the current DER CRL of a platform CA, base64 in {@code {"der": ...}}. */
  public static final String CRL_GET = PREFIX + "crl.get";

  /**
   * Request, API → crl: fetch a CRL source now ({@code {"id": ...}}, {@code "platform"} reissues the
   * platform CA's own CRL); the reply says the outcome ({@code accepted}, {@code unchanged},
   * {@code superseded} or {@code failed} with {@code kind} and {@code error}).
   */
  public static final String CRL_REFRESH = PREFIX + "crl.refresh";

  /**
   * Request, API → provisioning: sign, record and send a remote-management command
   * ({@code {"deviceId", "name", "args", "ttlSeconds", "actor"}}); the reply is the recorded command.
   */
  public static final String COMMAND_CREATE = PREFIX + "commands.create";

  /**
   * Send (one consumer in the cluster), broker → provisioning: a device replied on
   * {@code devices/{id}/commands/{commandId}/reply} ({@link CommandReply}).
   */
  public static final String COMMAND_REPLY = PREFIX + "commands.reply";

  /**
   * Node-local publish, the operator API's audit tail → the event streams of this node's operators
   * ({@code GET /api/v1/events}): each entry appended to the audit log, as its API JSON. Every node tails
   * the shared database itself, so the entries of the whole cluster reach every node's streams once.
   */
  public static final String OPERATOR_EVENTS = PREFIX + "operator.events";

  private static final String BROKER_NODE = PREFIX + "broker.node.";

  private static final String HEALTH = PREFIX + "health.";

  private Addresses() {}

  /**
   * Request, broker → the broker of one node ({@code nodeId}, as stored with the session): hand over the
   * session of {@link SessionClaim#clientId()} and answer once it is stored ({@link SessionClaim#reply}).
   * An empty client id only asks whether that node is alive. No handler or no answer means the node is
   * gone and the stored session is the truth.
   */
  public static String brokerNode(String nodeId) {
    return BROKER_NODE + nodeId;
  }

  /**
   * Node-local request: the health of one verticle of this node ({@link HealthReport}). Registered
   * with {@code localConsumer}, because {@code /health} reports the node it runs on.
   */
  public static String health(String role) {
    return HEALTH + role;
  }
}
