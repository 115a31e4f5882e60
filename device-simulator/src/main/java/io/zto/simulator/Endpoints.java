package io.zto.simulator;

import java.util.Arrays;
import java.util.List;

/**
 * The platform endpoints a device agent may use when the platform runs as several nodes without a load
 * balancer in front: provisioning MQTT URLs, EST base URLs and operational MQTT URLs. On a refused or lost
 * connection the agent moves to the next endpoint of that kind (after its backoff), so a device keeps
 * onboarding and operating while a node is down. An empty list means "the one URL the factory config or the
 * platform's config answer gives".
 *
 * @param provisioning provisioning listener URLs ({@code mqtts://host:port})
 * @param est EST base URLs ({@code https://host:port/.well-known/est})
 * @param mqtt operational listener URLs ({@code mqtts://host:port})
 */
public record Endpoints(List<String> provisioning, List<String> est, List<String> mqtt) {

  /** No alternatives: the factory config's and the config answer's URLs only. */
  public static final Endpoints NONE = new Endpoints(List.of(), List.of(), List.of());

  public Endpoints {
    provisioning = List.copyOf(provisioning);
    est = List.copyOf(est);
    mqtt = List.copyOf(mqtt);
  }

  /**
   * The provisioning URLs of a factory config, whose {@code provisioning.url} may list several separated by
   * commas (a factory that knows the nodes of a cluster).
   */
  public static Endpoints of(FactoryConfig factory) {
    return new Endpoints(split(factory.provisioningUrl()), List.of(), List.of());
  }

  /** These endpoints with the factory config's provisioning URLs when none are given here. */
  Endpoints orFactory(FactoryConfig factory) {
    return provisioning.isEmpty() ? new Endpoints(split(factory.provisioningUrl()), est, mqtt) : this;
  }

  /**
   * These endpoints with every list rotated left by {@code by}: give the n-th of many devices
   * {@code rotated(n)} and they spread over the nodes, each still failing over to all of them.
   */
  public Endpoints rotated(int by) {
    return new Endpoints(rotate(provisioning, by), rotate(est, by), rotate(mqtt, by));
  }

  /** The {@code turn}-th choice among {@code urls}, in a cycle; {@code fallback} when there are none. */
  static String pick(List<String> urls, int turn, String fallback) {
    return urls.isEmpty() ? fallback : urls.get(Math.floorMod(turn, urls.size()));
  }

  private static List<String> rotate(List<String> urls, int by) {
    List<String> rotated = new java.util.ArrayList<>(urls);
    java.util.Collections.rotate(rotated, urls.isEmpty() ? 0 : -Math.floorMod(by, urls.size()));
    return rotated;
  }

  private static List<String> split(String urls) {
    return Arrays.stream(urls.split(",")).map(String::trim).filter(url -> !url.isEmpty()).toList();
  }
}
