package io.zto.shared.pki;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Reads and writes PEM (RFC 7468): certificates and chains, unencrypted private keys (PKCS#8;
 * SEC1 and PKCS#1 are read too), and PKCS#10 certificate requests.
 *
 * <p>Text outside the {@code -----BEGIN ...-----}/{@code -----END ...-----} lines (such as
 * openssl's "Bag Attributes") is ignored. Anything malformed gives an
 * {@link IllegalArgumentException} whose message says which block is wrong and why.
 * Output uses {@code \n} line endings and 64-character lines.
 */
public final class Pem {

  public static final String CERTIFICATE = "CERTIFICATE";
  public static final String PRIVATE_KEY = "PRIVATE KEY";
  public static final String CERTIFICATE_REQUEST = "CERTIFICATE REQUEST";

  private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 #]+)-----");
  private static final Base64.Encoder MIME = Base64.getMimeEncoder(64, new byte[] {'\n'});
  private static final Set<String> KEY_TYPES = Set.of(PRIVATE_KEY, "EC PRIVATE KEY", "RSA PRIVATE KEY");

  private Pem() {
  }

  /** One decoded PEM block. */
  public record Block(String type, byte[] der) {
  }

  // ---- writing ----

  /** A PEM block of {@code type} around {@code der}. */
  public static String encode(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + MIME.encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  /** One certificate as PEM. */
  public static String encode(X509Certificate certificate) {
    return encode(CERTIFICATE, Der.encode(certificate));
  }

  /** Certificates as concatenated PEM blocks, in the given order (leaf first for chains). */
  public static String encode(List<X509Certificate> certificates) {
    StringBuilder pem = new StringBuilder();
    certificates.forEach(c -> pem.append(encode(c)));
    return pem.toString();
  }

  /** A private key as unencrypted PKCS#8 ({@code PRIVATE KEY}). */
  public static String encode(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException("The " + key.getAlgorithm() + " key is not exportable as PKCS#8 (format " + key.getFormat() + ")");
    }
    return encode(PRIVATE_KEY, key.getEncoded());
  }

  /** A PKCS#10 request as {@code CERTIFICATE REQUEST}. */
  public static String encode(PKCS10CertificationRequest csr) {
    try {
      return encode(CERTIFICATE_REQUEST, csr.getEncoded());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Cannot encode CSR", e);
    }
  }

  // ---- reading ----

  /**
   * Decodes every PEM block in {@code text}.
   *
   * @throws IllegalArgumentException if there is none, an END line is missing or base64 is invalid
   */
  public static List<Block> decode(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("No PEM data: the input is empty");
    }
    List<Block> blocks = new ArrayList<>();
    Matcher begin = BEGIN.matcher(text);
    int from = 0;
    while (begin.find(from)) {
      String type = begin.group(1);
      String endLine = "-----END " + type + "-----";
      int end = text.indexOf(endLine, begin.end());
      int number = blocks.size() + 1;
      if (end < 0) {
        throw new IllegalArgumentException("PEM block #" + number + " (" + type + ") has no '" + endLine + "' line: the text is cut off or mixed up");
      }
      String body = text.substring(begin.end(), end).replaceAll("\\s+", "");
      if (body.contains(":")) {
        throw new IllegalArgumentException("PEM block #" + number + " (" + type + ") has RFC 1421 headers (encrypted legacy PEM?): not supported");
      }
      try {
        blocks.add(new Block(type, Base64.getDecoder().decode(body)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("PEM block #" + number + " (" + type + ") is not valid base64: " + e.getMessage(), e);
      }
      from = end + endLine.length();
    }
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("No PEM data found: expected a line like '-----BEGIN CERTIFICATE-----'");
    }
    return blocks;
  }

  /** Reads exactly one certificate. */
  public static X509Certificate readCertificate(String text) {
    List<X509Certificate> certificates = readCertificates(text);
    if (certificates.size() != 1) {
      throw new IllegalArgumentException("Expected one certificate, found " + certificates.size());
    }
    return certificates.get(0);
  }

  /** Reads one or more certificates (a chain or a bundle), in file order. */
  public static List<X509Certificate> readCertificates(String text) {
    List<X509Certificate> certificates = new ArrayList<>();
    int number = 0;
    for (Block block : decode(text)) {
      number++;
      requireType(block, number, CERTIFICATE);
      try {
        certificates.add(Der.certificate(block.der()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("PEM block #" + number + ": " + e.getMessage(), e);
      }
    }
    return certificates;
  }

  /** Reads one unencrypted private key: {@code PRIVATE KEY}, {@code EC PRIVATE KEY} or {@code RSA PRIVATE KEY}. */
  public static PrivateKey readPrivateKey(String text) {
    Block block = single(decode(text), "private key");
    switch (block.type()) {
      case PRIVATE_KEY: return Der.privateKey(block.der());
      case "EC PRIVATE KEY": return Der.sec1PrivateKey(block.der());
      case "RSA PRIVATE KEY": return Der.pkcs1PrivateKey(block.der());
      case "ENCRYPTED PRIVATE KEY":
        throw new IllegalArgumentException("The private key is encrypted; decrypt it first (openssl pkcs8 -topk8 -nocrypt)");
      default:
        throw new IllegalArgumentException("Expected a private key (one of " + KEY_TYPES + "), found '" + block.type() + "'");
    }
  }

  /** Reads one PKCS#10 request ({@code CERTIFICATE REQUEST} or {@code NEW CERTIFICATE REQUEST}); its signature is not checked. */
  public static PKCS10CertificationRequest readCsr(String text) {
    Block block = single(decode(text), "certificate request");
    if (!CERTIFICATE_REQUEST.equals(block.type()) && !"NEW CERTIFICATE REQUEST".equals(block.type())) {
      throw new IllegalArgumentException("Expected '" + CERTIFICATE_REQUEST + "', found '" + block.type() + "'");
    }
    return Der.csr(block.der());
  }

  /** Reads PEM from bytes (UTF-8/ASCII). */
  public static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  private static Block single(List<Block> blocks, String what) {
    if (blocks.size() != 1) {
      throw new IllegalArgumentException("Expected one " + what + ", found " + blocks.size() + " PEM blocks");
    }
    return blocks.get(0);
  }

  private static void requireType(Block block, int number, String type) {
    if (!type.equals(block.type())) {
      throw new IllegalArgumentException("PEM block #" + number + " is '" + block.type() + "', expected '" + type + "'");
    }
  }
}
