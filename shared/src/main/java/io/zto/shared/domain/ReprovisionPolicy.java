package io.zto.shared.domain;

/**
 * What a provisioning request with a new requestId from an already provisioned device gets:
 * {@code ALLOW} re-provisions under the enrollment's approval, except that it waits for an operator when
 * the device's last revocation since it was provisioned was for keyCompromise; {@code MANUAL} always
 * waits for an operator, {@code NEVER} is refused.
 */
public enum ReprovisionPolicy { ALLOW, MANUAL, NEVER }
