package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.zto.shared.bus.Addresses;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.Backend;
import io.zto.shared.testing.ThrowawayPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * Key generation, file I/O and JDBC never run on an event loop: a whole first start and a round of
 * requests under a strict blocked-thread checker leave no warning about an event-loop thread.
 */
class EventLoopNotBlockedTest {

  // well above scheduling noise on a loaded 2-core machine, well below a migration or a keystore write
  private static final long LIMIT_MS = 300;

  @TempDir
  Path dataDir;

  private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
  private Node node;

  @BeforeEach
  void captureWarnings() {
    warnings.start();
    root().addAppender(warnings);
  }

  @AfterEach
  void stop() {
    root().detachAppender(warnings);
    if (node != null) {
      Await.result(node.stop());
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void firstStartAndRequestsNeverBlockAnEventLoop(Backend backend) throws Exception {
    // GIVEN a checker that reports an event loop busy for longer than LIMIT_MS
    Map<String, String> settings = settings();
    if (backend == Backend.POSTGRESQL) {
      settings.put("db.url", ThrowawayPostgres.newDatabase());
    }
    // WHEN a node starts on an empty data dir (CA keys made, database migrated) and serves requests
    node = Await.result(Node.start(ZtoConfig.of(settings), strictChecker()));
    HttpClient http = HttpClient.newHttpClient();
    for (String path : List.of("/health", "/crl/issuing.crl", "/metrics", "/api/v1/audit")) {
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path)).build(),
          HttpResponse.BodyHandlers.discarding());
    }
    Await.result(node.vertx().eventBus().request(Addresses.CRL_REISSUE, new JsonObject().put("ca", "issuing")));
    Thread.sleep(3 * LIMIT_MS);
    // THEN no event-loop thread was reported blocked
    assertThat(eventLoopWarnings()).isEmpty();
  }

  @Test
  void theCheckerDoesCatchABlockedEventLoop() throws Exception {
    // GIVEN the same checker WHEN a handler sleeps on an event loop THEN it is reported (the test above can fail)
    node = Await.result(Node.start(ZtoConfig.of(settings()), strictChecker()));
    node.vertx().runOnContext(ignored -> sleep(4 * LIMIT_MS));
    Thread.sleep(6 * LIMIT_MS);
    assertThat(eventLoopWarnings()).isNotEmpty();
  }

  private Map<String, String> settings() {
    Map<String, String> settings = new HashMap<>();
    settings.put("dataDir", dataDir.toString());
    settings.put("http.port", "0");
    settings.put("est.port", "0");
    settings.put("mqtt.operational.port", "0");
    settings.put("mqtt.provisioning.port", "0");
    return settings;
  }

  static Consumer<VertxOptions> strictChecker() {
    return options -> options.setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setMaxEventLoopExecuteTime(LIMIT_MS).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        // a stack with the first warning says what blocked
        .setWarningExceptionTime(LIMIT_MS).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS);
  }

  private List<String> eventLoopWarnings() {
    return eventLoopWarnings(warnings);
  }

  /** The blocked-thread warnings about event-loop threads among the captured log events. */
  static List<String> eventLoopWarnings(ListAppender<ILoggingEvent> warnings) {
    return warnings.list.stream().map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains("has been blocked") && m.contains("eventloop"))
        .toList();
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
