package io.zto.est;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.zto.shared.Platform;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.ChallengeRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.trust.TrustKernel;
import io.zto.shared.store.EstRequestRepository;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the EST handlers share: the platform, its repositories and the worker pool for CPU work
 * (chain and CSR signature checks, signing, hashing), sized to the cores.
 */
final class EstServices {

  private static final Logger LOG = LoggerFactory.getLogger(EstServices.class);

  final Platform platform;
  final WorkerExecutor crypto;
  final DeviceRepository devices;
  final TrustKernel trust;
  final CertificateRepository certificates;
  final ChallengeRepository challenges;
  final EstRequestRepository requests;
  final AuditRepository audit;

  EstServices(Vertx vertx, Platform platform, WorkerExecutor crypto) {
    this.platform = platform;
    this.crypto = crypto;
    this.devices = new DeviceRepository(platform.db());
    this.trust = TrustKernel.create(vertx, platform);
    this.certificates = new CertificateRepository(platform.db());
    this.challenges = new ChallengeRepository(platform.db());
    this.requests = new EstRequestRepository(platform.db());
    this.audit = new AuditRepository(platform.db());
  }

  /** Runs CPU work on the crypto pool, unordered. */
  <T> Future<T> work(Callable<T> task) {
    return crypto.executeBlocking(task, false);
  }

  /** Appends to the audit log; a failure to do so is logged, never passed on to the device. */
  Future<Void> audit(AuditEvent event) {
    return audit.append(event.withNode(platform.nodeId())).<Void>mapEmpty()
        .otherwise(failure -> {
          LOG.warn("cannot write the audit event {} {}: {}", event.action(), event.subject(), failure.getMessage());
          return null;
        });
  }
}
