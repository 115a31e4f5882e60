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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
    // new filters this SUBSCRIBE adds to the session, counted against mqtt.maxSubscriptionsPerSession
    Set<String> added = new HashSet<>();
    for (MqttTopicSubscription request : message.topicSubscriptions()) {
      // bounds first: a filter of 30,000 levels is refused before anything splits it
      TopicFilter.Beyond beyond = TopicFilter.exceeds(request.topicName(), broker.bounds());
      TopicFilter filter = beyond == null ? TopicFilter.parse(request.topicName()) : null;
      if (beyond != null) {
        context.metrics().limitExceeded(beyond.limit());
        codes.add(MqttSubAckReasonCode.TOPIC_FILTER_INVALID);
      } else if (filter == null) {
        codes.add(MqttSubAckReasonCode.TOPIC_FILTER_INVALID);
      } else if (!fits(filter, added)) {
        context.metrics().limitExceeded("subscriptions");
        codes.add(MqttSubAckReasonCode.QUOTA_EXCEEDED);
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
        if (!session.subscriptions().containsKey(filter.raw())) {
          added.add(filter.raw());
        }
        codes.add(MqttSubAckReasonCode.qosGranted(MqttQoS.valueOf(qos)));
      }
    }
    acknowledge(message.messageId(), codes);
    // after SUBACK, so retained messages follow it as MQTT 3.8.4 expects
    granted.forEach(sub -> broker.subscribe(session, sub));
  }

  // a filter the session holds already is replaced, not added (MQTT 3.8.4), so it always fits
  private boolean fits(TopicFilter filter, Set<String> added) {
    String raw = filter.raw();
    if (session.subscriptions().containsKey(raw) || added.contains(raw)) {
      return true;
    }
    return session.subscriptions().size() + added.size() < broker.bounds().subscriptionsPerSession();
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
