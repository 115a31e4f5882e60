package io.zto.shared.domain;

import java.time.Instant;

/**
 * The latest CRL the platform stored for one of its CAs (its CRL number is inside the DER).
 *
 * @param der the DER of the CRL as served at {@code /crl/{ca}.crl}
 */
public record IssuedCrl(String ca, Instant thisUpdate, Instant nextUpdate, byte[] der) {}
