package io.zto.simulator;

import java.net.URI;

/** {@code mqtts://host:port} (or {@code mqtt://}) as the device configs give it. */
record MqttUrl(String host, int port, boolean tls) {

  static MqttUrl parse(String url) {
    URI uri = URI.create(url);
    boolean tls = "mqtts".equals(uri.getScheme()) || "ssl".equals(uri.getScheme());
    if (!tls && !"mqtt".equals(uri.getScheme()) && !"tcp".equals(uri.getScheme())) {
      throw new IllegalArgumentException("not an MQTT URL: " + url);
    }
    return new MqttUrl(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : tls ? 8883 : 1883, tls);
  }
}
