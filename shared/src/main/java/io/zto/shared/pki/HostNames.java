package io.zto.shared.pki;

import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.util.IPAddress;

/** Telling host names from IP literals without any DNS lookup. */
public final class HostNames {

  private HostNames() {
  }

  /** Whether {@code host} is an IPv4 or IPv6 literal (brackets allowed around IPv6). */
  public static boolean isIpLiteral(String host) {
    return IPAddress.isValid(stripBrackets(host));
  }

  /** A SAN entry: iPAddress for IP literals, dNSName otherwise. */
  public static GeneralName generalName(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host name is empty");
    }
    String bare = stripBrackets(host.trim());
    return IPAddress.isValid(bare)
        ? new GeneralName(GeneralName.iPAddress, bare)
        : new GeneralName(GeneralName.dNSName, bare.toLowerCase(java.util.Locale.ROOT));
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
