package io.zto.simulator;

/**
 * One simulated device's timestamps (System.nanoTime) and state, as the fleet simulator follows it
 * through its agent's events. Its agent's events arrive on one event loop, the simulator's checks on
 * another: every access is synchronized on the device (never contended in practice).
 */
final class SimulatedDevice {

  final String id;
  final int index;
  DeviceAgent agent;

  private long startNanos;
  private long attemptNanos;
  private long provisionedNanos;
  private long enrolledNanos;
  private boolean onboarded;
  private boolean done;
  private boolean connected;
  private String failure;
  private long commandNanos;
  private boolean commandAnswered;
  private long revokedNanos;
  private boolean dropped;
  private boolean reconnected;

  SimulatedDevice(String id, int index) {
    this.id = id;
    this.index = index;
  }

  synchronized void started(long nanos) {
    startNanos = nanos;
  }

  synchronized void attempt(long nanos) {
    attemptNanos = nanos;
  }

  /** The provisioning phase's duration, or -1 when the device was onboarded already. */
  synchronized long provisioned(long nanos) {
    provisionedNanos = nanos;
    return onboarded ? -1 : nanos - attemptNanos;
  }

  /** The EST phase's duration, or -1 when the device was onboarded already. */
  synchronized long enrolled(long nanos) {
    enrolledNanos = nanos;
    return onboarded ? -1 : nanos - provisionedNanos;
  }

  /** Connected to the operational listener. */
  synchronized void connected() {
    connected = true;
  }

  /** The first connection: marks the device onboarded and done; false if it was before. */
  synchronized boolean firstOnboarded() {
    if (onboarded || done) {
      return false;
    }
    onboarded = true;
    done = true;
    return true;
  }

  synchronized long connectPhase(long nanos) {
    return nanos - enrolledNanos;
  }

  synchronized long total(long nanos) {
    return nanos - startNanos;
  }

  /** The device gave up (or ran out of time) before onboarding: true if that ends it now. */
  synchronized boolean gaveUp(String reason) {
    if (done) {
      return false;
    }
    done = true;
    failure = reason;
    return true;
  }

  synchronized void disconnected() {
    connected = false;
  }

  synchronized boolean isOnboarded() {
    return onboarded;
  }

  synchronized boolean isConnected() {
    return connected;
  }

  synchronized String failure() {
    return failure;
  }

  synchronized void commandSent(long nanos) {
    commandNanos = nanos;
  }

  /** The time from sending the command to its arrival, or -1 if none was awaited. */
  synchronized long commandArrived(long nanos) {
    if (commandNanos == 0 || commandAnswered) {
      return -1;
    }
    commandAnswered = true;
    return nanos - commandNanos;
  }

  synchronized boolean commandAnswered() {
    return commandAnswered;
  }

  synchronized void revoked(long nanos) {
    revokedNanos = nanos;
  }

  /** Time from revocation to the drop, or -1 if this is not the first drop after a revocation. */
  synchronized long droppedAfterRevocation(long nanos) {
    if (revokedNanos == 0 || dropped) {
      return -1;
    }
    dropped = true;
    return nanos - revokedNanos;
  }

  /** Time from revocation to the new connection, or -1 if this is not the first one after the drop. */
  synchronized long reconnectedAfterRevocation(long nanos) {
    if (revokedNanos == 0 || !dropped || reconnected) {
      return -1;
    }
    reconnected = true;
    return nanos - revokedNanos;
  }

  synchronized boolean wasDropped() {
    return dropped;
  }

  synchronized boolean wasReconnected() {
    return reconnected;
  }
}
