package io.zto.shared.domain;

import java.time.Instant;

/** The latest CRL the platform issued for one of its CAs. */
public record IssuedCrl(String ca, long crlNumber, Instant thisUpdate, Instant nextUpdate, byte[] der) {}
