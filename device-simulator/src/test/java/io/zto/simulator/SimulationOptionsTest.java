package io.zto.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulationOptionsTest {

  @TempDir
  Path tmp;

  @Test
  void optionsAreParsedWithTheirUnits() {
    SimulationOptions options = SimulationOptions.parse(new String[] {"--devices", "2_000", "--max-in-flight=32",
        "--ramp", "50.5", "--telemetry-interval", "0", "--hold", "1m", "--revoke-percent", "10", "--api",
        "http://127.0.0.1:9/", "--prefix", "run-a-"});
    assertThat(options.devices()).isEqualTo(2000);
    assertThat(options.maxInFlight()).isEqualTo(32);
    assertThat(options.ramp()).isEqualTo(50.5);
    assertThat(options.telemetryInterval()).isZero();
    assertThat(options.hold()).isEqualTo(Duration.ofMinutes(1));
    assertThat(options.revoked()).isEqualTo(200);
    assertThat(options.api()).isEqualTo("http://127.0.0.1:9");
    assertThat(options.metricsUrl()).isEqualTo("http://127.0.0.1:9/metrics");
    assertThat(options.toJson().containsKey("token")).isFalse();
  }

  @Test
  void badOptionsAreRefusedNamingTheOption() {
    assertThatThrownBy(() -> SimulationOptions.parse(new String[] {"--devices", "many"}))
        .hasMessageContaining("--devices must be a whole number, not 'many'");
    assertThatThrownBy(() -> SimulationOptions.parse(new String[] {"--devices", "0"})).hasMessageContaining("--devices");
    assertThatThrownBy(() -> SimulationOptions.parse(new String[] {"--revoke-percent", "120"}))
        .hasMessageContaining("--revoke-percent must be between 0 and 100");
    assertThatThrownBy(() -> SimulationOptions.parse(new String[] {"--hold", "soon"})).hasMessageContaining("--hold");
    assertThatThrownBy(() -> SimulationOptions.parse(new String[] {"--devcies", "3"}))
        .hasMessageContaining("unknown option --devcies");
    assertThatThrownBy(() -> SimulationOptions.parse(new String[] {"--prefix", "a/b"})).hasMessageContaining("--prefix");
  }

  @Test
  void helpDocumentsEveryOptionAndABadLineExitsWithTwo() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(Simulator.run(new String[] {"--help"}, new PrintStream(out), new PrintStream(err))).isZero();
    String usage = out.toString(StandardCharsets.UTF_8);
    for (String option : List.of("devices", "api", "data-dir", "token", "provisioning-url", "prefix", "max-in-flight",
        "ramp", "attempts", "telemetry-interval", "hold", "commands", "revoke-percent", "keys", "out", "metrics-url",
        "timeout", "client-tls-engine", "event-loops")) {
      assertThat(usage).contains("--" + option + " ");
    }
    assertThat(Simulator.run(new String[] {"--max-in-flight", "-1"}, new PrintStream(out), new PrintStream(err))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("zto simulate: --max-in-flight must be at least 1");
  }

  @Test
  void aSavedKeyPoolIsReadBackToWorkingKeysAndToppedUp() throws Exception {
    // GIVEN a pool of 3 saved to a file
    Path file = tmp.resolve("keys.txt");
    KeyPool first = KeyPool.loadOrGenerate(file, 3);
    // WHEN it is loaded asking for 5
    KeyPool second = KeyPool.loadOrGenerate(file, 5);
    // THEN it holds 5, the first 3 are those saved, and each private key signs for its public key
    assertThat(second.size()).isEqualTo(5);
    KeyPair saved = first.get();
    KeyPair loaded = second.get();
    assertThat(loaded.getPublic().getEncoded()).isEqualTo(saved.getPublic().getEncoded());
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(loaded.getPrivate());
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(saved.getPublic());
    verifier.update(new byte[] {1, 2, 3});
    assertThat(verifier.verify(signature)).isTrue();
    assertThat(KeyPool.loadOrGenerate(file, 1).size()).isEqualTo(5);
    // AND a pool used up makes keys on the spot and counts them
    KeyPool one = KeyPool.generate(1);
    one.get();
    assertThat(one.get()).isNotNull();
    assertThat(one.madeLate()).isEqualTo(1);
  }

  @Test
  void progressIsOneUpdatingLineOnATerminalAndSparseLinesInALog() {
    ProgressLine.Figures figures = new ProgressLine.Figures(10, 4, 86, 1, 12.5, 230, 3.2, "onboarding");
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    ProgressLine live = new ProgressLine(new PrintStream(terminal), true);
    live.show(figures, 0);
    live.show(figures, 1);
    assertThat(terminal.toString(StandardCharsets.UTF_8)).startsWith("\r").doesNotContain("\n")
        .contains("onboarded 10 | in flight 4 | waiting 86 | failed 1 | 12.5/s | p99 230 ms");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    ProgressLine plain = new ProgressLine(new PrintStream(log), false);
    plain.show(figures, 0);
    plain.show(figures, 1_000_000_000L);
    plain.show(figures, 6_000_000_000L);
    assertThat(log.toString(StandardCharsets.UTF_8).lines().count()).isEqualTo(2);
  }
}
