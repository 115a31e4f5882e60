package io.zto.broker;

/** Where a session writes when it is connected: the client connection, seen from the session. */
public interface Outlet {

  /** Sends a PUBLISH (packet id already set for QoS 1/2). */
  void publish(Outbound message, boolean dup);

  void pubrel(int packetId);

  /** Whether a QoS 0 message may be written now, or must be dropped (too many writes in progress). */
  boolean acceptsQos0();

  /** The client's Receive Maximum: QoS 1/2 messages it takes unacknowledged. */
  int receiveMaximum();

  /** Closes the connection for a slow consumer or other server-side reason. */
  void kick(Disconnect reason, String text);

  /** Why the server closes a connection (the MQTT 5 DISCONNECT reason). */
  enum Disconnect { QUOTA_EXCEEDED, SESSION_TAKEN_OVER, ADMINISTRATIVE_ACTION, NOT_AUTHORIZED, RECEIVE_MAXIMUM_EXCEEDED,
    TOPIC_ALIAS_INVALID, SERVER_SHUTTING_DOWN, PROTOCOL_ERROR, TOPIC_NAME_INVALID, PACKET_TOO_LARGE }
}
