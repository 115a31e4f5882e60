package io.zto.est;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.config.EstConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.est.AttrOrOID;
import org.bouncycastle.asn1.est.CsrAttrs;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * {@code GET /csrattrs} (RFC 7030 §4.5): the challengePassword attribute, an EC P-256 key and
 * ecdsa-with-SHA256, as {@code application/csrattrs}, base64. No authentication.
 */
final class CsrAttrsHandler implements EstHandler {

  static final String MEDIA_TYPE = "application/csrattrs";

  private final String body;

  CsrAttrsHandler() {
    CsrAttrs attrs = new CsrAttrs(new AttrOrOID[] {
        new AttrOrOID(PKCSObjectIdentifiers.pkcs_9_at_challengePassword),
        new AttrOrOID(new Attribute(X9ObjectIdentifiers.id_ecPublicKey, new DERSet(SECObjectIdentifiers.secp256r1))),
        new AttrOrOID(X9ObjectIdentifiers.ecdsa_with_SHA256)});
    try {
      body = EstHttp.base64Lines(attrs.getEncoded("DER"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Future<EstOutcome> handle(RoutingContext ctx, EstConfig.Profile profile) {
    EstHttp.base64(ctx, MEDIA_TYPE, body);
    return Future.succeededFuture();
  }
}
