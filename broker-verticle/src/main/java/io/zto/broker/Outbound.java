package io.zto.broker;

import java.util.List;

/**
 * One message on its way to one session: the QoS and retain flag granted by the subscription, the
 * subscription identifiers that matched, and, once sent at QoS 1/2, its packet id and whether PUBREC
 * arrived (then only PUBREL/PUBCOMP remain).
 */
public final class Outbound {

  final Message message;
  final int qos;
  final boolean retain;
  final List<Integer> subscriptionIds;
  int packetId;
  boolean released;

  public Outbound(Message message, int qos, boolean retain, List<Integer> subscriptionIds) {
    this.message = message;
    this.qos = qos;
    this.retain = retain;
    this.subscriptionIds = subscriptionIds == null ? List.of() : List.copyOf(subscriptionIds);
  }

  public Message message() {
    return message;
  }

  public int qos() {
    return qos;
  }

  public boolean retain() {
    return retain;
  }

  public List<Integer> subscriptionIds() {
    return subscriptionIds;
  }

  public int packetId() {
    return packetId;
  }

  public boolean released() {
    return released;
  }
}
