package io.zto.broker;

import io.vertx.core.Future;
import io.zto.shared.store.BrokerStateRepository;
import io.zto.shared.store.DeviceRepository;
import java.time.Instant;

/**
 * Whether an authenticated CONNECT may use its client id, and whether it may resume the session held
 * under it (contract section 9, "Sessions belong to an identity"):
 *
 * <ul>
 *   <li>A device id is reserved for the certificate holding it: a client without a device certificate
 *       (service account, anonymous plain client) is refused a client id that is the id of a device the
 *       platform knows ({@link DeviceRepository}), with "client identifier not valid" (0x85 / 3.1.1: 2).
 *       Ids that merely look like device ids but name no device are allowed: nearly every client id has
 *       that form. If such a device appears later, its certificate takes the id back (next point).
 *   <li>A session is resumed only by its owner ({@link SessionOwner}). A device connecting with its own
 *       id whose session is held by someone else (its session on the other listener, a service account
 *       that used the id before the device existed, a session stored before owners were recorded) gets
 *       a fresh session: the id is the device's.
 *   <li>Anyone else finding the id held by another owner is refused (0x85 / 2), and the holder's session
 *       and connection stay as they are. Brokers with ACL'd client ids refuse rather than hand out a
 *       fresh session: one client id has one session, so a fresh session would have to discard the
 *       owner's (or take over its live connection), which is itself an attack.
 * </ul>
 *
 * <p>Called on the broker's context: it reads the node's sessions.
 */
final class ClientIds {

  /** What an admitted CONNECT does with the session held under its client id. */
  enum Admission {
    /** No session or one of the same owner: resumed unless the client starts clean. */
    RESUMES,
    /** A session of another owner, which this device takes its id back from: it starts anew. */
    STARTS_FRESH
  }

  private final Broker broker;
  private final DeviceRepository devices;
  private final BrokerStateRepository store;

  /**
   * {@code store}: where sessions held by other cluster nodes are looked up; null on a single node,
   * where every stored session is loaded at start.
   */
  ClientIds(Broker broker, DeviceRepository devices, BrokerStateRepository store) {
    this.broker = broker;
    this.devices = devices;
    this.store = store;
  }

  /**
   * The admission of {@code identity} under {@code clientId}, or a failed future with a {@link Refusal}.
   * Called on the broker's context; the database answers may complete elsewhere, so this node's session is
   * read before any of them.
   */
  Future<Admission> admit(Identity identity, String clientId) {
    Future<Holder> holder = holder(clientId);
    return reserved(identity, clientId).compose(v -> holder).compose(held -> decide(identity, clientId, held));
  }

  /**
   * The same decision on what this node holds now, made again right before the session is opened (the
   * holder may have changed while the store was read); null if refused.
   */
  Admission admitHeld(Identity identity, String clientId) {
    Session held = broker.session(clientId);
    Future<Admission> decided = decide(identity, clientId, held == null ? null : new Holder(held.owner()));
    return decided.succeeded() ? decided.result() : null;
  }

  // a device id belongs to the certificate holding it: nobody without one may use it
  private Future<Void> reserved(Identity identity, String clientId) {
    if (identity.deviceId() != null) {
      return Future.succeededFuture();
    }
    return devices.get(clientId).compose(device -> device.isEmpty() ? Future.succeededFuture()
        : Future.failedFuture(new Refusal(Refusal.Kind.BAD_CLIENT_ID, "client id '" + clientId
            + "' is a device id: only that device's certificate may use it")));
  }

  /** Who holds a session under {@code clientId}: this node, or (clustered) another node per the store. */
  private Future<Holder> holder(String clientId) {
    Session held = broker.session(clientId);
    if (held != null) {
      return Future.succeededFuture(new Holder(held.owner()));
    }
    if (store == null) {
      return Future.succeededFuture(null);
    }
    return store.session(clientId, Instant.now()).map(stored -> stored == null ? null : new Holder(stored.owner()));
  }

  private static Future<Admission> decide(Identity identity, String clientId, Holder holder) {
    if (holder == null || SessionOwner.resumes(identity, holder.owner())) {
      return Future.succeededFuture(Admission.RESUMES);
    }
    if (identity.deviceId() != null || holder.owner() == null) {
      return Future.succeededFuture(Admission.STARTS_FRESH);
    }
    return Future.failedFuture(new Refusal(Refusal.Kind.BAD_CLIENT_ID, "client id '" + clientId
        + "' is in use by another identity"));
  }

  /** A session under the client id; {@code owner} null when stored before owners were recorded. */
  private record Holder(String owner) {}
}
