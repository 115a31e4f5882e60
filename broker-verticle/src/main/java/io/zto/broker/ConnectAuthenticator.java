package io.zto.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.zto.shared.Platform;
import io.zto.shared.config.MqttConfig;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.MqttCredential;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.Pem;
import io.zto.shared.security.SecretHasher;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.CredentialRepository;
import io.zto.shared.store.CrlSourceRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.TrustAnchorRepository;
import java.security.cert.X509Certificate;
import java.time.Instant;
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
  private final CertificateRepository certificates;
  private final DeviceRepository devices;
  private final CredentialRepository credentials;
  private final TrustAnchorRepository anchors;
  private final CrlSourceRepository crls;

  public ConnectAuthenticator(Vertx vertx, Platform platform) {
    this.vertx = vertx;
    this.platform = platform;
    this.config = platform.config().mqtt();
    this.certificates = new CertificateRepository(platform.db());
    this.devices = new DeviceRepository(platform.db());
    this.credentials = new CredentialRepository(platform.db());
    this.anchors = new TrustAnchorRepository(platform.db());
    this.crls = new CrlSourceRepository(platform.db());
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
        .compose(ok -> ok ? Future.succeededFuture(Identity.anonymous(listener, Acl.serviceAccount(account.get().allow())))
            : refuse(Refusal.Kind.BAD_CREDENTIALS, "wrong service account password"));
  }

  private Future<Identity> operational(MqttEndpoint endpoint) {
    List<X509Certificate> chain = CertificateCheck.peerChain(endpoint.sslSession());
    MqttAuth auth = endpoint.auth();
    if (chain.isEmpty()) {
      // back-end applications log in with a service account and no certificate
      return serviceAccount(auth, Identity.Listener.OPERATIONAL);
    }
    String clientId = endpoint.clientIdentifier();
    List<X509Certificate> caChain = platform.pki().caChain();
    return vertx.executeBlocking(() -> CertificateCheck.verify(Identity.Listener.OPERATIONAL, chain, caChain, clientId),
            false)
        .compose(partial -> certificates.findByFingerprint(partial.certificateFingerprint())
            .compose(cert -> checkIssued(cert, partial))
            .compose(v -> devices.get(partial.deviceId()))
            .compose(device -> checkDevice(device, partial.deviceId(), true))
            .compose(v -> checkDevicePassword(auth, partial.deviceId()))
            .map(v -> withAcl(partial, Acl.operationalDevice(partial.deviceId()))));
  }

  private Future<Void> checkIssued(Optional<IssuedCertificate> cert, Identity partial) {
    if (cert.isEmpty() || !cert.get().deviceId().equals(partial.deviceId())) {
      return refuse(Refusal.Kind.NOT_AUTHORIZED, "certificate not issued to this device by the platform");
    }
    if (cert.get().status() != IssuedCertificate.Status.VALID) {
      return refuse(Refusal.Kind.BANNED, "certificate revoked");
    }
    return Future.succeededFuture();
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

  private Future<Void> checkDevicePassword(MqttAuth auth, String deviceId) {
    if (auth == null) {
      return refuse(Refusal.Kind.BAD_CREDENTIALS, "username and password required");
    }
    return credentials.get(deviceId).compose(stored -> {
      if (stored.isEmpty() || !stored.get().username().equals(auth.getUsername())) {
        return refuse(Refusal.Kind.BAD_CREDENTIALS, "wrong username or password");
      }
      MqttCredential credential = stored.get();
      return vertx.executeBlocking(() -> HASHER.verify(auth.getPassword(), credential.passwordHash()), false)
          .compose(ok -> ok ? Future.<Void>succeededFuture()
              : refuse(Refusal.Kind.BAD_CREDENTIALS, "wrong username or password"));
    });
  }

  private Future<Identity> provisioning(MqttEndpoint endpoint) {
    List<X509Certificate> chain = CertificateCheck.peerChain(endpoint.sslSession());
    if (chain.isEmpty()) {
      return refuse(Refusal.Kind.NOT_AUTHORIZED, "an LDevID client certificate is required");
    }
    MqttAuth auth = endpoint.auth();
    String clientId = endpoint.clientIdentifier();
    return anchors.list(TrustAnchor.Purpose.LDEVID)
        .compose(list -> vertx.executeBlocking(() -> CertificateCheck.verify(Identity.Listener.PROVISIONING, chain,
            list.stream().map(a -> Pem.readCertificate(a.pem())).toList(), clientId), false))
        .compose(partial -> crls.check(partial.certificateSerial(), partial.issuerFingerprint(), Instant.now())
            .compose(check -> check.refused() ? refuse(Refusal.Kind.BANNED, "LDevID refused: " + check.describe())
                : Future.<Void>succeededFuture())
            .compose(v -> devices.get(partial.deviceId()))
            // a retired device may ask: the provisioning service admits it under a new registration only
            .compose(device -> checkDevice(device.filter(d -> d.state() != Device.State.RETIRED), partial.deviceId(),
                false))
            .compose(v -> auth != null && platform.pki().provisioningCredentials().matches(auth.getUsername(),
                auth.getPassword()) ? Future.<Void>succeededFuture()
                : refuse(Refusal.Kind.BAD_CREDENTIALS, "wrong provisioning username or password"))
            .map(v -> withAcl(partial, Acl.provisioningDevice(partial.deviceId()))));
  }

  private static Identity withAcl(Identity partial, Acl acl) {
    return new Identity(partial.listener(), partial.deviceId(), partial.certificateSerial(),
        partial.certificateFingerprint(), partial.issuerFingerprint(), partial.certificatePem(), acl);
  }

  private static <T> Future<T> refuse(Refusal.Kind kind, String reason) {
    return Future.failedFuture(new Refusal(kind, reason));
  }
}
