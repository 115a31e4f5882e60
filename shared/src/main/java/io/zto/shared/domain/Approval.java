package io.zto.shared.domain;

/** Whether a matching device is provisioned at once or waits for an operator. */
public enum Approval { AUTO, MANUAL }
