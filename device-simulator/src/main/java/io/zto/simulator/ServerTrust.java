package io.zto.simulator;

import io.zto.shared.pki.ChainVerifier;
import io.zto.shared.pki.UntrustedCertificateException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a device checks the platform's server certificate: the chain up to the anchors of its config,
 * checked by Bouncy Castle ({@link ChainVerifier}), the leaf allowed for TLS servers, and the host it
 * dialled in the leaf's subjectAltName. The JDK's PKIX check of the same chain took a sixth of the fleet
 * simulator's CPU, which shares the cores with the platform in the onboarding bench.
 */
final class ServerTrust extends X509ExtendedTrustManager {

  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final int SAN_DNS = 2;
  private static final int SAN_IP = 7;

  private final List<X509Certificate> anchors;

  ServerTrust(List<X509Certificate> anchors) {
    if (anchors.isEmpty()) {
      throw new IllegalArgumentException("no trust anchors for the platform's server certificate");
    }
    this.anchors = List.copyOf(anchors);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    check(chain, engine == null ? null : engine.getPeerHost());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain, socket == null || socket.getInetAddress() == null ? null : socket.getInetAddress().getHostName());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, null);
  }

  private void check(X509Certificate[] chain, String host) throws CertificateException {
    try {
      ChainVerifier.verify(List.of(chain), anchors, Instant.now());
    } catch (UntrustedCertificateException e) {
      throw new CertificateException("server certificate not trusted: " + e.getMessage(), e);
    }
    X509Certificate leaf = chain[0];
    List<String> usages = leaf.getExtendedKeyUsage();
    if (usages != null && !usages.contains(SERVER_AUTH)) {
      throw new CertificateException("server certificate " + leaf.getSubjectX500Principal() + " is not for TLS servers");
    }
    if (host != null && !matches(leaf, host)) {
      throw new CertificateException("server certificate " + leaf.getSubjectX500Principal() + " is not for host " + host);
    }
  }

  /** Whether {@code host} is among the leaf's DNS names (a leftmost {@code *} matching one label) or IP addresses. */
  static boolean matches(X509Certificate leaf, String host) throws CertificateParsingException {
    Collection<List<?>> names = leaf.getSubjectAlternativeNames();
    if (names == null) {
      return false;
    }
    String wanted = host.toLowerCase(Locale.ROOT);
    boolean literal = isIpLiteral(wanted);
    for (List<?> name : names) {
      int type = (Integer) name.get(0);
      String value = String.valueOf(name.get(1)).toLowerCase(Locale.ROOT);
      if (literal ? type == SAN_IP && sameAddress(value, wanted) : type == SAN_DNS && dnsMatches(value, wanted)) {
        return true;
      }
    }
    return false;
  }

  private static boolean dnsMatches(String pattern, String host) {
    if (pattern.startsWith("*.")) {
      int dot = host.indexOf('.');
      return dot > 0 && host.substring(dot).equals(pattern.substring(1));
    }
    return pattern.equals(host);
  }

  private static boolean isIpLiteral(String host) {
    return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
  }

  private static boolean sameAddress(String a, String b) {
    try {
      // both are literals: no lookup happens
      return InetAddress.getByName(a).equals(InetAddress.getByName(b));
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw new CertificateException("a device does not accept client certificates");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("a device does not accept client certificates");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("a device does not accept client certificates");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return anchors.toArray(X509Certificate[]::new);
  }
}
