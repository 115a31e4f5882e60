package io.zto.shared.trust.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zto.shared.Platform;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.Der;
import io.zto.shared.pki.DeviceIds;
import io.zto.shared.pki.InvalidDeviceIdException;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.CrlSourceRepository;
import io.zto.shared.store.TrustAnchorCache;
import io.zto.shared.store.TrustAnchorRepository;
import io.zto.shared.trust.PathElement;
import io.zto.shared.trust.TrustKernel;
import io.zto.shared.trust.TrustPurpose;
import io.zto.shared.trust.Verdict;
import io.zto.shared.trust.Verdict.Refusal;
import io.zto.shared.trust.VerifiedPath;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The {@link TrustKernel}: input bounds, then (on a worker) parsing, path building and the chain policy,
 * then (on the database) revocation of every certificate of the verified path.
 */
public final class TrustKernelImpl implements TrustKernel {

  private final Vertx vertx;
  private final PlatformPki pki;
  private final TrustAnchorCache anchors;
  private final CrlSourceRepository crls;
  private final CertificateRepository certificates;
  private final Clock clock;

  TrustKernelImpl(Vertx vertx, PlatformPki pki, TrustAnchorCache anchors, CrlSourceRepository crls,
                  CertificateRepository certificates, Clock clock) {
    this.vertx = vertx;
    this.pki = pki;
    this.anchors = anchors;
    this.crls = crls;
    this.certificates = certificates;
    this.clock = clock;
  }

  public static TrustKernel create(Vertx vertx, Platform platform) {
    return create(vertx, platform, Clock.systemUTC());
  }

  /** As {@link TrustKernel#create}, with the clock validity and revocation are judged by. */
  public static TrustKernel create(Vertx vertx, Platform platform, Clock clock) {
    return new TrustKernelImpl(vertx, platform.pki(),
        TrustAnchorCache.create(vertx, new TrustAnchorRepository(platform.db())),
        new CrlSourceRepository(platform.db()), new CertificateRepository(platform.db()), clock);
  }

  @Override
  public Future<Verdict> verify(TrustPurpose purpose, List<byte[]> chain) {
    if (chain == null || chain.isEmpty()) {
      return Future.succeededFuture(Verdict.refused(purpose, Refusal.NO_CERTIFICATE,
          "no client certificate was presented"));
    }
    ChainPolicy.Violation bounds = ChainPolicy.presented(chain);
    if (bounds != null) {
      return Future.succeededFuture(Verdict.refused(purpose, bounds.refusal(), bounds.reason()));
    }
    List<byte[]> copy = List.copyOf(chain);
    return decide(purpose, () -> parse(copy));
  }

  @Override
  public Future<Verdict> verifyCertificates(TrustPurpose purpose, List<X509Certificate> chain) {
    if (chain == null || chain.isEmpty()) {
      return Future.succeededFuture(Verdict.refused(purpose, Refusal.NO_CERTIFICATE, "no certificate was presented"));
    }
    List<byte[]> encoded = new ArrayList<>(chain.size());
    try {
      for (X509Certificate c : chain) {
        encoded.add(c.getEncoded());
      }
    } catch (CertificateEncodingException e) {
      return Future.succeededFuture(Verdict.refused(purpose, Refusal.MALFORMED, "unreadable certificate: "
          + e.getMessage()));
    }
    ChainPolicy.Violation bounds = ChainPolicy.presented(encoded);
    if (bounds != null) {
      return Future.succeededFuture(Verdict.refused(purpose, bounds.refusal(), bounds.reason()));
    }
    List<X509Certificate> copy = List.copyOf(chain);
    return decide(purpose, () -> copy);
  }

  @Override
  public Future<Void> close() {
    return anchors.close();
  }

  private static List<X509Certificate> parse(List<byte[]> chain) {
    List<X509Certificate> parsed = new ArrayList<>(chain.size());
    for (byte[] der : chain) {
      parsed.add(Der.certificate(der));
    }
    return parsed;
  }

  private Future<Verdict> decide(TrustPurpose purpose, Callable<List<X509Certificate>> chain) {
    Instant now = clock.instant();
    if (purpose.anchorPurpose() == null) {
      return build(purpose, chain, null, now).compose(verdict -> revocation(verdict, now));
    }
    TrustAnchor.Purpose stored = purpose.anchorPurpose();
    return anchors.get(stored)
        .compose(cached -> build(purpose, chain, cached, now))
        // a CA trusted a moment ago on another node, whose change notice has not arrived: read afresh once
        .compose(verdict -> verdict.refusal() == Refusal.UNTRUSTED
            ? anchors.reload(stored).compose(fresh -> build(purpose, chain, fresh, now)) : Future.succeededFuture(verdict))
        .compose(verdict -> revocation(verdict, now));
  }

  private Future<Verdict> build(TrustPurpose purpose, Callable<List<X509Certificate>> chain,
                                TrustAnchorCache.Anchors stored, Instant now) {
    List<X509Certificate> trusted = stored == null ? pki.caChain() : stored.certificates();
    return vertx.executeBlocking(() -> {
      List<X509Certificate> parsed;
      try {
        parsed = chain.call();
      } catch (IllegalArgumentException e) {
        return Verdict.refused(purpose, Refusal.MALFORMED, "unreadable client certificate: " + e.getMessage());
      }
      PathBuilder.Built built = PathBuilder.build(parsed, trusted, now);
      if (built.violation() != null) {
        return Verdict.refused(purpose, built.violation().refusal(), built.violation().reason());
      }
      return identify(purpose, built.path(), stored);
    }, false);
  }

  private static Verdict identify(TrustPurpose purpose, VerifiedPath path, TrustAnchorCache.Anchors stored) {
    TrustAnchor anchor = stored == null ? null : stored.ownerOf(path.anchor()).orElse(null);
    Verdict verdict = new Verdict(purpose, null, null, path, anchor, null, null);
    if (stored != null && anchor == null) {
      // cannot happen with a consistent cache; refuse rather than trust an anchor nobody stored
      return verdict.refuse(Refusal.UNTRUSTED, "the anchor of the chain is no longer trusted");
    }
    if (purpose == TrustPurpose.IDEVID) {
      return verdict;
    }
    try {
      String deviceId = DeviceIds.fromCertificate(path.leaf().certificate()).value();
      return new Verdict(purpose, null, null, path, anchor, deviceId, null);
    } catch (InvalidDeviceIdException e) {
      return verdict.refuse(Refusal.BAD_DEVICE_ID, e.reason());
    }
  }

  private Future<Verdict> revocation(Verdict verdict, Instant now) {
    if (!verdict.trusted()) {
      return Future.succeededFuture(verdict);
    }
    if (verdict.purpose() == TrustPurpose.OPERATIONAL) {
      return certificates.findByFingerprint(verdict.path().leaf().fingerprint()).map(found -> issued(verdict, found));
    }
    List<PathElement> elements = verdict.path().elements();
    List<Future<CrlSource.Check>> checks = new ArrayList<>(elements.size());
    for (PathElement element : elements) {
      // the issuer that verified the signature, never one picked by name
      checks.add(crls.check(element.serial(), element.issuerFingerprint(), now));
    }
    return Future.all(checks).map(all -> {
      for (int i = 0; i < elements.size(); i++) {
        CrlSource.Check check = checks.get(i).result();
        if (check.refused()) {
          String what = i == 0 ? "certificate" : "intermediate CA";
          return verdict.refuse(Refusal.REVOKED, what + " " + PathBuilder.describe(elements.get(i).certificate())
              + " (serial " + elements.get(i).serial() + ") is refused: " + check.describe());
        }
      }
      return verdict;
    });
  }

  private static Verdict issued(Verdict verdict, Optional<IssuedCertificate> found) {
    if (found.isEmpty() || !found.get().deviceId().equals(verdict.deviceId())) {
      return verdict.refuse(Refusal.NOT_ISSUED, "certificate not issued to device " + verdict.deviceId()
          + " by the platform");
    }
    IssuedCertificate issued = found.get();
    Verdict recorded = new Verdict(verdict.purpose(), null, null, verdict.path(), null, verdict.deviceId(), issued);
    if (issued.status() != IssuedCertificate.Status.VALID) {
      return recorded.refuse(Refusal.REVOKED, "certificate (serial " + issued.serial() + ") revoked"
          + (issued.revocationReason() == null ? "" : " (" + issued.revocationReason().rfcName() + ")"));
    }
    return recorded;
  }
}
