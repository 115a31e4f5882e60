package io.zto.shared;

import io.micrometer.core.instrument.MeterRegistry;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.Database;
import java.util.Objects;

/**
 * What every verticle of a node is handed at deployment: the config, the one database pool of the node
 * (created once, so undeploying a verticle never closes it), the PKI material of the data dir, the
 * metrics registry and this node's id. Immutable and shared by all verticle instances of the node.
 */
public record Platform(ZtoConfig config, Database db, PlatformPki pki, MeterRegistry metrics, String nodeId) {

  public Platform {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(pki, "pki");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(nodeId, "nodeId");
  }
}
