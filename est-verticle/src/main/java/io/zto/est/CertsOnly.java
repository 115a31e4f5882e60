package io.zto.est;

import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataGenerator;

/**
 * A certs-only CMS SignedData (RFC 7030 §4.1.3, §4.2.3), the body of {@code /cacerts} and of every
 * enrollment answer, base64-encoded with line breaks.
 */
final class CertsOnly {

  /** The media type of an enrollment answer. */
  static final String MEDIA_TYPE = "application/pkcs7-mime; smime-type=certs-only";

  private CertsOnly() {}

  static String base64(List<X509Certificate> certificates) {
    return EstHttp.base64Lines(der(certificates));
  }

  static byte[] der(List<X509Certificate> certificates) {
    try {
      CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
      generator.addCertificates(new JcaCertStore(certificates));
      return generator.generate(new CMSAbsentContent()).getEncoded("DER");
    } catch (CertificateEncodingException | CMSException | IOException e) {
      throw new IllegalStateException("cannot encode certificates as PKCS#7: " + e.getMessage(), e);
    }
  }
}
