package io.zto.shared.trust.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zto.shared.Platform;
import io.zto.shared.trust.TrustKernel;
import io.zto.shared.trust.TrustPurpose;
import io.zto.shared.trust.Verdict;
import java.security.cert.X509Certificate;
import java.util.List;

/** Placeholder while the kernel is written (replaced in the next commit). */
public final class TrustKernelImpl implements TrustKernel {

  public static TrustKernel create(Vertx vertx, Platform platform) {
    return new TrustKernelImpl();
  }

  @Override
  public Future<Verdict> verify(TrustPurpose purpose, List<byte[]> chain) {
    return Future.failedFuture("kernel pending");
  }

  @Override
  public Future<Verdict> verifyCertificates(TrustPurpose purpose, List<X509Certificate> chain) {
    return Future.failedFuture("kernel pending");
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
