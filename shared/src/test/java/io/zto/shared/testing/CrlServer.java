package io.zto.shared.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP(S) server on a free loopback port that publishes a CRL the way a PKI does: with an ETag,
 * answering 304 to a matching If-None-Match; or, to inject faults, a status, garbage, or no answer at all.
 */
public final class CrlServer {

  private final HttpServer server;
  private final boolean tls;
  private final List<String> conditions = new CopyOnWriteArrayList<>();
  private volatile byte[] body = new byte[0];
  private volatile String etag;
  private volatile int status = 200;
  private volatile boolean silent;

  private CrlServer(Vertx vertx, HttpServerOptions options) {
    this.tls = options.isSsl();
    this.server = Await.result(vertx.createHttpServer(options).requestHandler(this::handle).listen(0, "127.0.0.1"));
  }

  public static CrlServer http(Vertx vertx) {
    return new CrlServer(vertx, new HttpServerOptions());
  }

  public static CrlServer https(Vertx vertx, SelfSignedCertificate certificate) {
    return new CrlServer(vertx, new HttpServerOptions().setSsl(true).setKeyCertOptions(certificate.keyCertOptions()));
  }

  public String url() {
    return (tls ? "https" : "http") + "://localhost:" + server.actualPort() + "/customer.crl";
  }

  /** Serves these bytes with 200 and a new ETag. */
  public CrlServer publish(byte[] crl) {
    body = crl;
    etag = "\"v" + System.nanoTime() + "\"";
    status = 200;
    silent = false;
    return this;
  }

  /** Answers every request with this status and no CRL. */
  public CrlServer failWith(int status) {
    this.status = status;
    return this;
  }

  /** Accepts requests and never answers them. */
  public CrlServer hang() {
    silent = true;
    return this;
  }

  /** The If-None-Match header of every request, "" when absent. */
  public List<String> conditions() {
    return conditions;
  }

  private void handle(HttpServerRequest request) {
    String ifNoneMatch = request.getHeader("If-None-Match");
    conditions.add(ifNoneMatch == null ? "" : ifNoneMatch);
    if (silent) {
      return;
    }
    if (status != 200) {
      request.response().setStatusCode(status).end("server error");
    } else if (etag != null && etag.equals(ifNoneMatch)) {
      request.response().setStatusCode(304).end();
    } else {
      request.response().putHeader("Content-Type", "application/pkix-crl").putHeader("ETag", etag)
          .end(Buffer.buffer(body));
    }
  }
}
