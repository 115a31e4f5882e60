package io.zto.shared.pki;

import java.util.Optional;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;

/** Reading attributes from distinguished names. */
final class Names {

  private Names() {
  }

  /** Every value of {@code type} in {@code name}, as strings. */
  static java.util.List<String> values(X500Name name, ASN1ObjectIdentifier type) {
    java.util.List<String> values = new java.util.ArrayList<>();
    for (RDN rdn : name.getRDNs(type)) {
      for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
        if (type.equals(atv.getType())) {
          values.add(atv.getValue() instanceof ASN1String s ? s.getString() : atv.getValue().toString());
        }
      }
    }
    return values;
  }

  /** The value of {@code type} if there is exactly one; empty if none or several. */
  static Optional<String> single(X500Name name, ASN1ObjectIdentifier type) {
    var values = values(name, type);
    return values.size() == 1 ? Optional.of(values.get(0)) : Optional.empty();
  }
}
