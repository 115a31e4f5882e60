package io.zto.broker;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;

/** Why a CONNECT is refused, with the CONNACK code of each protocol level. */
public final class Refusal extends RuntimeException {

  /** The kinds of refusal the listeners tell apart. */
  public enum Kind {
    BAD_CREDENTIALS(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD,
        MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD),
    NOT_AUTHORIZED(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
        MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5),
    BAD_CLIENT_ID(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
        MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID),
    // 3.1.1 has no "banned": a blocked device or certificate is "not authorized" there
    BANNED(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, MqttConnectReturnCode.CONNECTION_REFUSED_BANNED),
    UNAVAILABLE(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
        MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5);

    private final MqttConnectReturnCode v311;
    private final MqttConnectReturnCode v5;

    Kind(MqttConnectReturnCode v311, MqttConnectReturnCode v5) {
      this.v311 = v311;
      this.v5 = v5;
    }

    public MqttConnectReturnCode code(boolean mqtt5) {
      return mqtt5 ? v5 : v311;
    }
  }

  private final Kind kind;

  public Refusal(Kind kind, String reason) {
    super(reason, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
