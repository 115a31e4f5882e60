package io.zto.broker;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttProperties.StringPair;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperties;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperty;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/** Reading and writing the MQTT 5 properties the broker uses (netty's representation). */
public final class Mqtt5Properties {

  private Mqtt5Properties() {}

  public static Integer integer(MqttProperties props, MqttPropertyType type) {
    if (props == null) {
      return null;
    }
    MqttProperty<?> p = props.getProperty(type.value());
    return p == null ? null : (Integer) p.value();
  }

  public static String string(MqttProperties props, MqttPropertyType type) {
    MqttProperty<?> p = props == null ? null : props.getProperty(type.value());
    return p == null ? null : (String) p.value();
  }

  public static List<Integer> integers(MqttProperties props, MqttPropertyType type) {
    List<Integer> out = new ArrayList<>();
    if (props != null) {
      props.getProperties(type.value()).forEach(p -> out.add((Integer) p.value()));
    }
    return out;
  }

  /** A message from a client's PUBLISH (or will), keeping what passes through to subscribers. */
  public static Message message(String topic, Buffer payload, int qos, boolean retain, String publisher,
                                MqttProperties props, long now) {
    Integer expiry = integer(props, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL);
    MqttProperty<?> correlation = props == null ? null : props.getProperty(MqttPropertyType.CORRELATION_DATA.value());
    return new Message(topic, payload, qos, retain, publisher,
        expiry == null || expiry == 0 ? 0 : now + Integer.toUnsignedLong(expiry) * 1000,
        integer(props, MqttPropertyType.PAYLOAD_FORMAT_INDICATOR), string(props, MqttPropertyType.CONTENT_TYPE),
        string(props, MqttPropertyType.RESPONSE_TOPIC), correlation == null ? null : (byte[]) correlation.value(),
        userProperties(props));
  }

  private static List<String[]> userProperties(MqttProperties props) {
    List<String[]> out = new ArrayList<>();
    if (props == null) {
      return out;
    }
    for (MqttProperty<?> p : props.getProperties(MqttPropertyType.USER_PROPERTY.value())) {
      if (p instanceof UserProperties list) {
        list.value().forEach(pair -> out.add(new String[] {pair.key, pair.value}));
      } else if (p instanceof UserProperty one) {
        out.add(new String[] {one.value().key, one.value().value});
      }
    }
    return out;
  }

  /** The properties of an outbound PUBLISH of {@code out}. */
  public static MqttProperties outbound(Outbound out, long now) {
    MqttProperties props = new MqttProperties();
    Message m = out.message();
    if (m.payloadFormat() != null) {
      props.add(new IntegerProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value(), m.payloadFormat()));
    }
    long remaining = m.remainingSeconds(now);
    if (remaining > 0) {
      props.add(new IntegerProperty(MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value(), (int) Math.min(remaining,
          0xFFFFFFFFL)));
    }
    if (m.contentType() != null) {
      props.add(new StringProperty(MqttPropertyType.CONTENT_TYPE.value(), m.contentType()));
    }
    if (m.responseTopic() != null) {
      props.add(new StringProperty(MqttPropertyType.RESPONSE_TOPIC.value(), m.responseTopic()));
    }
    if (m.correlationData() != null) {
      props.add(new BinaryProperty(MqttPropertyType.CORRELATION_DATA.value(), m.correlationData()));
    }
    if (!m.userProperties().isEmpty()) {
      List<StringPair> pairs = m.userProperties().stream().map(p -> new StringPair(p[0], p[1])).toList();
      props.add(new UserProperties(pairs));
    }
    for (int id : out.subscriptionIds()) {
      props.add(new IntegerProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value(), id));
    }
    return props;
  }

  public static MqttProperties reason(String text) {
    MqttProperties props = new MqttProperties();
    if (text != null) {
      props.add(new StringProperty(MqttPropertyType.REASON_STRING.value(), text));
    }
    return props;
  }
}
