package io.zto.broker;

import java.util.BitSet;

/**
 * Packet identifiers 1..65535 of one session's outbound QoS 1/2 messages. Unlike vertx-mqtt's
 * counter, an id is never handed out again while it is still in flight.
 */
public final class PacketIds {

  public static final int MAX = 65_535;

  // grows with the highest id handed out: an idle session holds a few words, not 65536 bits (8 KiB)
  private final BitSet used = new BitSet();
  private int next = 1;

  /** A free id, or -1 when all 65535 are in flight. */
  public int allocate() {
    if (used.cardinality() >= MAX) {
      return -1;
    }
    int id = used.nextClearBit(next);
    if (id > MAX) {
      id = used.nextClearBit(1);
    }
    used.set(id);
    next = id == MAX ? 1 : id + 1;
    return id;
  }

  /** Marks an id as in flight (a message restored with its id). */
  public void claim(int id) {
    used.set(id);
  }

  public void release(int id) {
    if (id > 0 && id <= MAX) {
      used.clear(id);
    }
  }

  public boolean inUse(int id) {
    return used.get(id);
  }

  public int inFlight() {
    return used.cardinality();
  }
}
