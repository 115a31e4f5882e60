package io.zto.broker;

import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttUnsubAckReasonCode;
import java.util.ArrayList;
import java.util.List;

/** SUBSCRIBE and UNSUBSCRIBE of one connection, with ACL checks and both protocol levels' answers. */
final class SubscribeHandler {

  private final MqttEndpoint endpoint;
  private final Broker broker;
  private final Session session;
  private final Identity identity;
  private final BrokerContext context;
  private final boolean v5;

  SubscribeHandler(MqttEndpoint endpoint, Broker broker, Session session, Identity identity, BrokerContext context,
                   boolean v5) {
    this.endpoint = endpoint;
    this.broker = broker;
    this.session = session;
    this.identity = identity;
    this.context = context;
    this.v5 = v5;
  }

  void onSubscribe(MqttSubscribeMessage message) {
    List<Integer> ids = Mqtt5Properties.integers(message.properties(), MqttPropertyType.SUBSCRIPTION_IDENTIFIER);
    int subscriptionId = ids.isEmpty() ? 0 : ids.get(0);
    List<MqttSubAckReasonCode> codes = new ArrayList<>();
    List<Subscription> granted = new ArrayList<>();
    for (MqttTopicSubscription request : message.topicSubscriptions()) {
      TopicFilter filter = TopicFilter.parse(request.topicName());
      if (filter == null) {
        codes.add(MqttSubAckReasonCode.TOPIC_FILTER_INVALID);
      } else if (!identity.acl().maySubscribe(filter.filter(), filter.shared())) {
        context.denied(identity, "subscribe", request.topicName());
        codes.add(MqttSubAckReasonCode.NOT_AUTHORIZED);
      } else {
        int qos = Math.min(2, Math.max(0, request.qualityOfService().value()));
        MqttSubscriptionOption options = request.subscriptionOption();
        boolean noLocal = v5 && options != null && options.isNoLocal() && !filter.shared();
        boolean rap = v5 && options != null && options.isRetainAsPublished();
        int handling = v5 && options != null ? options.retainHandling().value() : 0;
        granted.add(new Subscription(session.clientId(), filter, qos, noLocal, rap, handling, subscriptionId));
        codes.add(MqttSubAckReasonCode.qosGranted(MqttQoS.valueOf(qos)));
      }
    }
    acknowledge(message.messageId(), codes);
    // after SUBACK, so retained messages follow it as MQTT 3.8.4 expects
    granted.forEach(sub -> broker.subscribe(session, sub));
  }

  private void acknowledge(int packetId, List<MqttSubAckReasonCode> codes) {
    if (v5) {
      endpoint.subscribeAcknowledge(packetId, codes, Mqtt5Properties.reason(null));
      return;
    }
    // MQTT 3.1.1 knows only granted QoS or 0x80 failure
    endpoint.subscribeAcknowledge(packetId, codes.stream()
        .map(c -> (c.value() & 0xFF) < 0x80 ? MqttQoS.valueOf(c.value()) : MqttQoS.FAILURE).toList());
  }

  void onUnsubscribe(MqttUnsubscribeMessage message) {
    List<MqttUnsubAckReasonCode> codes = new ArrayList<>();
    for (String filter : message.topics()) {
      codes.add(broker.unsubscribe(session, filter) ? MqttUnsubAckReasonCode.SUCCESS
          : MqttUnsubAckReasonCode.NO_SUBSCRIPTION_EXISTED);
    }
    if (v5) {
      endpoint.unsubscribeAcknowledge(message.messageId(), codes, Mqtt5Properties.reason(null));
    } else {
      endpoint.unsubscribeAcknowledge(message.messageId());
    }
  }
}
