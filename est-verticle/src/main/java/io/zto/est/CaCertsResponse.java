package io.zto.est;

import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataGenerator;

/**
 * The body of {@code GET /cacerts} (RFC 7030 §4.1.3): a certs-only CMS SignedData holding the CA
 * certificates, base64-encoded. Built once; the CA does not change while the node runs.
 */
final class CaCertsResponse {

  private CaCertsResponse() {}

  static String base64(List<X509Certificate> caCertificates) {
    try {
      CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
      generator.addCertificates(new JcaCertStore(caCertificates));
      byte[] der = generator.generate(new CMSAbsentContent()).getEncoded("DER");
      return Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(der) + "\r\n";
    } catch (CertificateEncodingException | CMSException | IOException e) {
      throw new IllegalStateException("cannot encode the CA certificates as PKCS#7: " + e.getMessage(), e);
    }
  }
}
