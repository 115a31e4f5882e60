package io.zto.broker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Outbound QoS 1/2 state of one session: messages sent and not yet acknowledged (at most the
 * client's Receive Maximum, each with a packet id no other in-flight message has) and messages
 * waiting for room in that window. The waiting queue is bounded by the caller.
 */
public final class InflightWindow {

  private final Map<Integer, Outbound> inflight = new LinkedHashMap<>();
  private final Deque<Outbound> waiting = new ArrayDeque<>();
  private final PacketIds ids = new PacketIds();

  /** Whether another message may be sent now with a window of {@code receiveMaximum}. */
  public boolean hasRoom(int receiveMaximum) {
    return inflight.size() < receiveMaximum && ids.inFlight() < PacketIds.MAX;
  }

  /** Assigns a packet id and records the message as in flight. */
  public Outbound send(Outbound message) {
    message.packetId = ids.allocate();
    inflight.put(message.packetId, message);
    return message;
  }

  /** PUBACK or PUBCOMP: done with that id. Returns whether it was in flight. */
  public boolean complete(int packetId) {
    Outbound done = inflight.remove(packetId);
    if (done != null) {
      ids.release(packetId);
    }
    return done != null;
  }

  /** PUBREC: the message arrived; from now on only PUBREL is repeated. */
  public boolean received(int packetId) {
    Outbound message = inflight.get(packetId);
    if (message == null || message.qos != 2) {
      return false;
    }
    message.released = true;
    return true;
  }

  public List<Outbound> inflight() {
    return new ArrayList<>(inflight.values());
  }

  public int inflightCount() {
    return inflight.size();
  }

  public Deque<Outbound> waiting() {
    return waiting;
  }
}
