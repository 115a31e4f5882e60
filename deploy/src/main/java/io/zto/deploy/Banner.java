package io.zto.deploy;

import io.zto.shared.config.Role;
import io.zto.shared.config.ZtoConfig;

/** What a person starting zto needs to know: where it listens, where its state and token are. */
final class Banner {

  private Banner() {}

  static String of(Node node) {
    ZtoConfig config = node.platform().config();
    StringBuilder text = new StringBuilder();
    text.append("zto ").append(node.platform().nodeId()).append(" started (roles ")
        .append(config.node().roles().stream().map(Role::label).toList()).append(")\n");
    text.append("  data dir        ").append(config.node().dataDir().toAbsolutePath().normalize()).append('\n');
    text.append("  database        ").append(node.platform().db().kind()).append('\n');
    text.append("  operator HTTP   http://").append(config.http().host()).append(':').append(node.httpPort())
        .append("  (token in ").append(node.platform().pki().layout().adminToken().toAbsolutePath().normalize()).append(")\n");
    if (config.node().hasRole(Role.EST)) {
      text.append("  EST             ").append(config.estUrl()).append('\n');
    }
    if (config.node().hasRole(Role.BROKER)) {
      text.append("  MQTT            ").append(config.mqttOperationalUrl()).append(" (operational), ")
          .append(config.mqttProvisioningUrl()).append(" (provisioning)");
      if (config.mqtt().plain().enabled()) {
        text.append(", mqtt://").append(config.mqtt().host()).append(':').append(config.mqtt().plain().port()).append(" (plain)");
      }
      text.append('\n');
    }
    text.append("  root CA         ").append(node.platform().pki().layout().rootCaPem().toAbsolutePath().normalize()).append('\n');
    return text.toString();
  }
}
