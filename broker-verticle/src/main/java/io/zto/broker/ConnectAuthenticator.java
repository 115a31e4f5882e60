package io.zto.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.zto.shared.Platform;
import io.zto.shared.config.MqttConfig;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.MqttCredential;
import io.zto.shared.security.RandomSecrets;
import io.zto.shared.security.SecretHasher;
import io.zto.shared.pki.Pem;
import io.zto.shared.store.CredentialRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.trust.PeerChain;
import io.zto.shared.trust.TrustKernel;
import io.zto.shared.trust.TrustPurpose;
import io.zto.shared.trust.Verdict;
import java.util.List;
import java.util.Optional;

/**
 * Decides who a CONNECT is, per listener (contract sections 2, 4, 6). Signature checks and password
 * hashing run on workers; every answer is a {@link Identity} or a failed future with a {@link Refusal}.
 *
 * <p>vertx-mqtt 5.0.7 gives no username without a password ({@code auth()} is null), so a
 * username-only CONNECT looks anonymous: it is refused wherever credentials are required.
 */
public final class ConnectAuthenticator {

  private static final SecretHasher HASHER = SecretHasher.argon2id();

  private final Vertx vertx;
  private final Platform platform;
  private final MqttConfig config;
  private final TrustKernel kernel;
  private final DeviceRepository devices;
  private final CredentialRepository credentials;

  public ConnectAuthenticator(Vertx vertx, Platform platform) {
    this.vertx = vertx;
    this.platform = platform;
    this.config = platform.config().mqtt();
    this.kernel = TrustKernel.create(vertx, platform);
    this.devices = new DeviceRepository(platform.db());
    this.credentials = new CredentialRepository(platform.db());
  }

  public Future<Identity> authenticate(MqttEndpoint endpoint, Identity.Listener listener) {
    return switch (listener) {
      case PLAIN -> plain(endpoint);
      case OPERATIONAL -> operational(endpoint);
      case PROVISIONING -> provisioning(endpoint);
    };
  }

  private Future<Identity> plain(MqttEndpoint endpoint) {
    if (config.plain().allowAnonymous()) {
      return Future.succeededFuture(Identity.anonymous(Identity.Listener.PLAIN, Acl.anyTopic()));
    }
    return serviceAccount(endpoint.auth(), Identity.Listener.PLAIN);
  }

  private Future<Identity> serviceAccount(MqttAuth auth, Identity.Listener listener) {
    if (auth == null) {
      return refuse(Refusal.Kind.NOT_AUTHORIZED, "username and password required");
    }
    Optional<MqttConfig.ServiceAccount> account = config.serviceAccount(auth.getUsername());
    if (account.isEmpty()) {
      return refuse(Refusal.Kind.BAD_CREDENTIALS, "unknown service account");
    }
    return vertx.executeBlocking(() -> HASHER.verify(auth.getPassword(), account.get().passwordHash()), false)
        .compose(ok -> ok ? Future.succeededFuture(Identity.serviceAccount(listener, account.get().username(),
            Acl.serviceAccount(account.get().publish(), account.get().subscribe())))
            : refuse(Refusal.Kind.BAD_CREDENTIALS, "wrong service account password"));
  }

  private Future<Identity> operational(MqttEndpoint endpoint) {
    List<byte[]> chain = PeerChain.of(endpoint.sslSession());
    MqttAuth auth = endpoint.auth();
    if (chain.isEmpty()) {
      // back-end applications log in with a service account and no certificate
      return serviceAccount(auth, Identity.Listener.OPERATIONAL);
    }
    String clientId = endpoint.clientIdentifier();
    // read while the chain is checked; used only once the certificate proved the id to be the client id
    Future<Optional<Device>> device = devices.get(clientId);
    Future<Optional<MqttCredential>> credential = credentials.get(clientId);
    return kernel.verify(TrustPurpose.OPERATIONAL, chain)
        .compose(verdict -> certified(Identity.Listener.OPERATIONAL, verdict, clientId, null))
        .compose(partial -> device
            .compose(found -> checkDevice(found, partial.deviceId(), true))
            .compose(v -> credential)
            .compose(stored -> checkDevicePassword(auth, stored))
            .map(v -> partial.withAcl(Acl.operationalDevice(partial.deviceId()))));
  }

  /**
   * The kernel's verdict as an identity, or the refusal it maps to: a revoked path is "banned", a leaf
   * without a valid device id or with another one than the client id is "client id not valid",
   * anything else untrusted is "not authorized".
   */
  private static Future<Identity> certified(Identity.Listener listener, Verdict verdict, String clientId,
                                            String chainPem) {
    if (!verdict.trusted()) {
      Refusal.Kind kind = switch (verdict.refusal()) {
        case REVOKED -> Refusal.Kind.BANNED;
        case BAD_DEVICE_ID -> Refusal.Kind.BAD_CLIENT_ID;
        default -> Refusal.Kind.NOT_AUTHORIZED;
      };
      return refuse(kind, verdict.reason());
    }
    if (!verdict.deviceId().equals(clientId)) {
      return refuse(Refusal.Kind.BAD_CLIENT_ID, "client id '" + clientId + "' is not the certificate's device id '"
          + verdict.deviceId() + "'");
    }
    return Future.succeededFuture(Identity.certified(listener, verdict.deviceId(), verdict.path(), chainPem));
  }

  private Future<Void> checkDevice(Optional<Device> device, String deviceId, boolean required) {
    if (device.isEmpty()) {
      return required ? refuse(Refusal.Kind.NOT_AUTHORIZED, "unknown device " + deviceId) : Future.succeededFuture();
    }
    Device.State state = device.get().state();
    if (state == Device.State.DISABLED || state == Device.State.RETIRED) {
      return refuse(Refusal.Kind.BANNED, "device " + deviceId + " is " + state.name().toLowerCase());
    }
    return Future.succeededFuture();
  }

  private Future<Void> checkDevicePassword(MqttAuth auth, Optional<MqttCredential> stored) {
    if (auth == null) {
      return refuse(Refusal.Kind.BAD_CREDENTIALS, "username and password required");
    }
    if (stored.isEmpty() || !stored.get().username().equals(auth.getUsername())) {
      return refuse(Refusal.Kind.BAD_CREDENTIALS, "wrong username or password");
    }
    MqttCredential credential = stored.get();
    RandomSecrets digests = platform.pki().randomSecrets();
    if (RandomSecrets.cheap(credential.passwordHash())) {
      return digests.verify(auth.getPassword(), credential.passwordHash()) ? Future.succeededFuture()
          : refuse(Refusal.Kind.BAD_CREDENTIALS, "wrong username or password");
    }
    // a slow hash stored by an older version: checked on a worker
    return vertx.executeBlocking(() -> digests.verify(auth.getPassword(), credential.passwordHash()), false)
        .compose(ok -> ok ? Future.<Void>succeededFuture()
            : refuse(Refusal.Kind.BAD_CREDENTIALS, "wrong username or password"));
  }

  private Future<Identity> provisioning(MqttEndpoint endpoint) {
    List<byte[]> chain = PeerChain.of(endpoint.sslSession());
    if (chain.isEmpty()) {
      return refuse(Refusal.Kind.NOT_AUTHORIZED, "an LDevID client certificate is required");
    }
    MqttAuth auth = endpoint.auth();
    String clientId = endpoint.clientIdentifier();
    // read while the chain is checked; used only once the certificate proved the id to be the client id
    Future<Optional<Device>> device = devices.get(clientId);
    return kernel.verify(TrustPurpose.LDEVID, chain)
        .compose(verdict -> certified(Identity.Listener.PROVISIONING, verdict, clientId,
            verdict.trusted() ? Pem.encode(verdict.path().certificates()) : null))
        .compose(partial -> device
            // a retired device may ask: the provisioning service admits it under a new registration only
            .compose(found -> checkDevice(found.filter(d -> d.state() != Device.State.RETIRED), partial.deviceId(),
                false))
            .compose(v -> auth != null && platform.pki().provisioningCredentials().matches(auth.getUsername(),
                auth.getPassword()) ? Future.<Void>succeededFuture()
                : refuse(Refusal.Kind.BAD_CREDENTIALS, "wrong provisioning username or password"))
            .map(v -> partial.withAcl(Acl.provisioningDevice(partial.deviceId()))));
  }

  private static <T> Future<T> refuse(Refusal.Kind kind, String reason) {
    return Future.failedFuture(new Refusal(kind, reason));
  }
}
