package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's CI case: `zto simulate` from the fat jar onboards a small fleet against zto.jar running as a
 * process, sends commands, revokes a share and writes its result and report. Asserts what happened (from
 * the result file and from the platform's API), never how fast.
 */
// longer than the suite's default timeout: its own deadline of 10 minutes fails first, with a better message
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class SimulateIT {

  static final int DEVICES = 50;

  @TempDir
  Path tmp;

  private ZtoProcess zto;

  @AfterEach
  void stop() throws InterruptedException {
    if (zto != null) {
      zto.stop();
    }
  }

  @Test
  void simulatedFleetOnboardsAnswersCommandsIsReprovisionedAfterRevocationAndIsReported() throws Exception {
    // GIVEN zto.jar running on its embedded database
    zto = ZtoProcess.start(tmp.resolve("zto-data"), tmp.resolve("zto.log"));
    OperatorClient operator = new OperatorClient(zto.api(), zto.token());
    Path out = tmp.resolve("report");
    Path log = tmp.resolve("simulate.log");
    // WHEN zto simulate onboards 50 devices, 8 at a time, commands 5 of them and revokes 10 %
    Process simulate = new ProcessBuilder(ZtoProcess.java(), "-jar", ZtoProcess.JAR.toString(), "simulate",
        "--devices", String.valueOf(DEVICES), "--max-in-flight", "8", "--api", zto.api(), "--data-dir",
        zto.dataDir().toString(), "--provisioning-url", "mqtts://localhost:" + zto.provisioning(), "--prefix", "ci-",
        "--telemetry-interval", "1s", "--hold", "3s", "--commands", "5", "--revoke-percent", "10", "--out", out.toString(),
        "--keys", tmp.resolve("keys.txt").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = simulate.waitFor(10, TimeUnit.MINUTES);
    String output = Files.readString(log);
    assertThat(ended).as(output).isTrue();
    // THEN it exits 0 and its result says every device onboarded, answered, and came back after revocation
    assertThat(simulate.exitValue()).as(output).isZero();
    JsonObject result = new JsonObject(Files.readString(out.resolve("result.json")));
    assertThat(result.getInteger("onboarded")).isEqualTo(DEVICES);
    assertThat(result.getInteger("failed")).isZero();
    assertThat(result.getLong("connectedAtEnd")).isEqualTo(DEVICES);
    assertThat(result.getJsonObject("commands").getLong("answered")).isEqualTo(5);
    assertThat(result.getJsonObject("revocations").getLong("reconnected")).isEqualTo(5);
    assertThat(result.getJsonObject("telemetry").getLong("sent")).isPositive();
    for (String phase : List.of("provisioning", "est", "connect", "total", "command", "revocation-drop", "reprovision")) {
      assertThat(result.getJsonObject("latency").getJsonObject(phase).getLong("count")).as(phase).isPositive();
    }
    assertThat(result.getJsonObject("latency").getJsonObject("total").getLong("count")).isEqualTo(DEVICES);
    assertThat(result.getJsonObject("timeline").getJsonObject("gauges").getJsonArray("server-heap")).isNotEmpty();
    // AND the platform's API lists the 50 devices as provisioned, and 5 of them with a revoked certificate
    List<JsonObject> devices = provisioned(operator, "ci-");
    assertThat(devices).hasSize(DEVICES);
    int revoked = 0;
    for (JsonObject device : devices) {
      JsonArray certificates = OperatorClient.json(operator.api("GET", "/api/v1/certificates?deviceId="
          + device.getString("id"), null, null)).getJsonArray("items");
      if (certificates.stream().anyMatch(c -> "revoked".equals(((JsonObject) c).getString("status")))) {
        revoked++;
        assertThat(certificates.size()).isGreaterThanOrEqualTo(2);
      }
    }
    assertThat(revoked).isEqualTo(5);
    // AND the report is written, self-contained, with its charts
    String html = Files.readString(out.resolve("report.html"));
    assertThat(html).contains("Onboardings per second", "Latency per phase", "Server heap in use")
        .doesNotContain("<script", "src=\"http");
    assertThat(html.split("<svg ", -1).length - 1).isGreaterThanOrEqualTo(4);
  }

  private static List<JsonObject> provisioned(OperatorClient operator, String prefix) throws Exception {
    List<JsonObject> found = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = OperatorClient.json(operator.api("GET", "/api/v1/devices?state=provisioned&limit=500"
          + (cursor == null ? "" : "&cursor=" + cursor), null, null));
      page.getJsonArray("items").forEach(item -> {
        if (((JsonObject) item).getString("id").startsWith(prefix)) {
          found.add((JsonObject) item);
        }
      });
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    return found;
  }
}
