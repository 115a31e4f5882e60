package io.zto.crl;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.codec.BodyCodec;
import io.zto.crl.CrlSyncFailure.Kind;
import io.zto.shared.domain.CrlSource;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Downloads a source's CRL with a conditional GET (If-None-Match / If-Modified-Since from the last
 * accepted answer), at most {@code maxBytes} of body and within {@code timeout} from start to end.
 */
final class CrlFetcher {

  /** What the server answered: a body, or (body null) 304 Not Modified. */
  record Fetched(byte[] body, String etag, String lastModified) {
    boolean notModified() {
      return body == null;
    }
  }

  private final Vertx vertx;
  private final WebClient client;
  private final long maxBytes;
  private final Duration timeout;

  CrlFetcher(Vertx vertx, WebClient client, long maxBytes, Duration timeout) {
    this.vertx = vertx;
    this.client = client;
    this.maxBytes = maxBytes;
    this.timeout = timeout;
  }

  /** Fails with a {@link CrlSyncFailure} (unreachable, HTTP status, timeout, too large). */
  Future<Fetched> fetch(CrlSource source) {
    BoundedBody body = new BoundedBody(maxBytes);
    HttpRequest<Void> request = client.getAbs(source.url()).as(BodyCodec.pipe(body))
        .timeout(timeout.toMillis()).connectTimeout(timeout.toMillis());
    if (source.etag() != null) {
      request.putHeader(HttpHeaders.IF_NONE_MATCH.toString(), source.etag());
    }
    if (source.lastModified() != null) {
      request.putHeader(HttpHeaders.IF_MODIFIED_SINCE.toString(), source.lastModified());
    }
    Promise<Fetched> result = Promise.promise();
    // the request's own timeout is an idle timeout: this one bounds a server that trickles bytes
    long timer = vertx.setTimer(timeout.toMillis(), id -> result.tryFail(timedOut()));
    request.send()
        .map(response -> answer(response, body))
        .recover(failure -> Future.failedFuture(classify(failure, body)))
        .onComplete(done -> {
          vertx.cancelTimer(timer);
          if (done.succeeded()) {
            result.tryComplete(done.result());
          } else {
            result.tryFail(done.cause());
          }
        });
    return result.future();
  }

  private Fetched answer(HttpResponse<Void> response, BoundedBody body) {
    if (response.statusCode() == 304) {
      return new Fetched(null, null, null);
    }
    if (body.overflow) {
      throw tooLarge();
    }
    if (response.statusCode() != 200) {
      throw new CrlSyncFailure(Kind.HTTP_STATUS, "the server answered HTTP " + response.statusCode()
          + (response.statusMessage() == null ? "" : " " + response.statusMessage()));
    }
    return new Fetched(body.bytes(), response.getHeader(HttpHeaders.ETAG.toString()),
        response.getHeader(HttpHeaders.LAST_MODIFIED.toString()));
  }

  private Throwable classify(Throwable failure, BoundedBody body) {
    if (failure instanceof CrlSyncFailure) {
      return failure;
    }
    if (body.overflow) {
      return tooLarge();
    }
    if (failure instanceof TimeoutException || failure instanceof io.netty.handler.timeout.TimeoutException) {
      return timedOut();
    }
    String what = failure instanceof ConnectException ? "cannot connect"
        : failure instanceof UnknownHostException ? "unknown host"
        : failure instanceof SSLException ? "TLS failed" : "cannot fetch";
    return new CrlSyncFailure(Kind.UNREACHABLE, what + ": " + failure.getMessage());
  }

  private CrlSyncFailure timedOut() {
    return new CrlSyncFailure(Kind.TIMEOUT, "no complete answer within " + timeout.toMillis() + " ms");
  }

  private CrlSyncFailure tooLarge() {
    return new CrlSyncFailure(Kind.TOO_LARGE, "the CRL is larger than the limit of " + maxBytes + " bytes");
  }

  /** Collects the body up to a limit; past it, refuses further writes, which aborts the download. */
  private static final class BoundedBody implements WriteStream<Buffer> {

    private final long limit;
    private final Buffer buffer = Buffer.buffer();
    private boolean overflow;

    BoundedBody(long limit) {
      this.limit = limit;
    }

    byte[] bytes() {
      return buffer.getBytes();
    }

    @Override
    public Future<Void> write(Buffer data) {
      if (overflow || buffer.length() + (long) data.length() > limit) {
        overflow = true;
        return Future.failedFuture("the CRL is larger than the limit of " + limit + " bytes");
      }
      buffer.appendBuffer(data);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      return overflow ? Future.failedFuture("the CRL is larger than the limit of " + limit + " bytes")
          : Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      return this;
    }
  }
}
