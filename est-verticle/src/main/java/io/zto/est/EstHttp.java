package io.zto.est;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/** The HTTP side of EST: media types, RFC 8951 base64 bodies, text reasons. */
final class EstHttp {

  static final String PKCS10 = "application/pkcs10";
  static final String REALM = "Basic realm=\"zto-est\"";
  /** Carries the reason of answers that must have an empty body (202, 401 with a Basic challenge). */
  static final String REASON_HEADER = "Zto-Reason";

  private static final Base64.Encoder LINES = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'});

  private EstHttp() {}

  /** Base64 with CRLF every 76 characters, ending in CRLF. */
  static String base64Lines(byte[] der) {
    return LINES.encodeToString(der) + "\r\n";
  }

  /**
   * The DER of a base64 PKCS#10 body: the media type must be {@code application/pkcs10}; base64 with or
   * without line breaks and whitespace (RFC 8951), Content-Transfer-Encoding ignored; PEM armour tolerated.
   */
  static byte[] pkcs10Body(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !mediaType(type).equals(PKCS10)) {
      throw new EstException(415, "The request body must be a base64 PKCS#10 CSR with Content-Type: " + PKCS10
          + (type == null ? " (no Content-Type was sent)" : " (got '" + type + "')"));
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw EstException.badRequest("The request body is empty; send the CSR as base64 DER (e.g. openssl req -outform DER | base64)");
    }
    return decodeBase64(body.toString(StandardCharsets.US_ASCII));
  }

  static byte[] decodeBase64(String text) {
    StringBuilder clean = new StringBuilder(text.length());
    for (String line : text.split("\r?\n|\r")) {
      if (!line.startsWith("-----")) {
        clean.append(line);
      }
    }
    String compact = clean.toString().replaceAll("\\s+", "");
    try {
      byte[] der = Base64.getDecoder().decode(compact);
      if (der.length == 0) {
        throw EstException.badRequest("The request body holds no base64 data");
      }
      return der;
    } catch (IllegalArgumentException e) {
      throw EstException.badRequest("The request body is not base64 (" + e.getMessage()
          + "); send the DER CSR base64-encoded, line breaks allowed");
    }
  }

  /** The media type without parameters, lower case. */
  static String mediaType(String contentType) {
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  /** Ends the request with a text reason (every 4xx/5xx and 202). */
  static void text(RoutingContext ctx, int status, String reason) {
    if (ctx.response().ended()) {
      return;
    }
    if (ctx.response().headWritten()) {
      ctx.request().connection().close();
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(reason + "\n");
  }

  /** A base64 answer of the given media type. */
  static void base64(RoutingContext ctx, String mediaType, String base64) {
    ctx.response().putHeader("Content-Type", mediaType).putHeader("Content-Transfer-Encoding", "base64").end(base64);
  }
}
