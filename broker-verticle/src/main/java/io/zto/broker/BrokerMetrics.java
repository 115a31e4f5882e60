package io.zto.broker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The broker's counters in the platform registry (exported on /metrics). */
public final class BrokerMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();
  private final Map<String, Counter> denied = new ConcurrentHashMap<>();
  private final Map<String, Counter> limited = new ConcurrentHashMap<>();

  public BrokerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A message not delivered, by why: qos0 (queue full), slow-consumer, offline-queue, expired, too-large. */
  public void dropped(String why) {
    dropped.computeIfAbsent(why, w -> Counter.builder("zto.mqtt.messages.dropped").tag("reason", w)
        .register(registry)).increment();
  }

  public void refused(String listener) {
    refused.computeIfAbsent(listener, l -> Counter.builder("zto.mqtt.connects.refused").tag("listener", l)
        .register(registry)).increment();
  }

  public void denied(String what) {
    denied.computeIfAbsent(what, w -> Counter.builder("zto.mqtt.acl.denied").tag("operation", w)
        .register(registry)).increment();
  }

  /**
   * An input refused because it is beyond a configured bound ({@code zto.mqtt.limits.exceeded{limit}}):
   * topic-levels, topic-length, subscriptions, retained-per-client, retained-total, will-size, packet-size,
   * client-id-length, restored-subscriptions, restored-queue, restored-retained.
   */
  public void limitExceeded(String limit) {
    limited.computeIfAbsent(limit, l -> Counter.builder("zto.mqtt.limits.exceeded").tag("limit", l)
        .register(registry)).increment();
  }

  public double limitExceededCount(String limit) {
    Counter counter = limited.get(limit);
    return counter == null ? 0 : counter.count();
  }

  public double droppedCount(String why) {
    Counter counter = dropped.get(why);
    return counter == null ? 0 : counter.count();
  }
}
