package io.zto.shared.domain;

/** A disabled enrollment or group matches no device. */
public enum EnrollmentStatus { ENABLED, DISABLED }
