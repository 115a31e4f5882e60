package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.zto.shared.domain.IssuedCrl;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

class IssuedCrlRepositoryTest {

  private static final Instant NOW = Instant.parse("2026-11-28T04:00:00Z");

  @BackendTest
  void numbersStartAtOneAndGrowPerCa(Database db) {
    IssuedCrlRepository crls = new IssuedCrlRepository(db);
    // WHEN numbers are allocated for two CAs THEN each counts from 1 on its own
    assertThat(Await.result(crls.allocateNumber("issuing"))).isEqualTo(1L);
    assertThat(Await.result(crls.allocateNumber("issuing"))).isEqualTo(2L);
    assertThat(Await.result(crls.allocateNumber("root"))).isEqualTo(1L);
    assertThat(Await.result(crls.read("issuing"))).isEmpty();
  }

  @BackendTest
  void concurrentAllocationsNeverShareANumber(Database db) {
    IssuedCrlRepository crls = new IssuedCrlRepository(db);
    // WHEN 10 allocations race, for a CA that has no row yet
    List<Future<Long>> racing = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      racing.add(crls.allocateNumber("issuing"));
    }
    List<Long> numbers = new ArrayList<>();
    racing.forEach(f -> numbers.add(Await.result(f)));
    // THEN 1..10, each once
    assertThat(numbers).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
  }

  @BackendTest
  void storedCrlIsReadBack(Database db) {
    IssuedCrlRepository crls = new IssuedCrlRepository(db);
    long number = Await.result(crls.allocateNumber("issuing"));
    byte[] der = {0x30, (byte) 0x82, 0x01, 0x00};
    // WHEN the CRL of the allocated number is stored THEN it reads back
    assertThat(Await.result(crls.store("issuing", number, NOW, NOW.plusSeconds(3600), der))).isTrue();
    IssuedCrl stored = Await.result(crls.read("issuing")).orElseThrow();
    assertThat(stored.der()).isEqualTo(der);
    assertThat(stored.thisUpdate()).isEqualTo(NOW);
    assertThat(stored.nextUpdate()).isEqualTo(NOW.plusSeconds(3600));
  }

  @BackendTest
  void crlOfAnOlderNumberNeverReplacesANewerOne(Database db) {
    IssuedCrlRepository crls = new IssuedCrlRepository(db);
    // GIVEN node A allocated 1 and node B then allocated 2
    long a = Await.result(crls.allocateNumber("issuing"));
    long b = Await.result(crls.allocateNumber("issuing"));
    // WHEN B stores first and A stores late
    assertThat(Await.result(crls.store("issuing", b, NOW, NOW.plusSeconds(60), new byte[] {2}))).isTrue();
    assertThat(Await.result(crls.store("issuing", a, NOW, NOW.plusSeconds(60), new byte[] {1}))).isFalse();
    // THEN B's CRL is served
    assertThat(Await.result(crls.read("issuing")).orElseThrow().der()).containsExactly(2);
  }
}
