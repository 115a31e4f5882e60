package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Duration;

class LeaseRepositoryTest {

  private static final Duration LONG = Duration.ofMinutes(1);

  @BackendTest
  void aRunningLeaseIsRenewedByItsHolderAndRefusedToOthers(Database db) {
    LeaseRepository leases = new LeaseRepository(db);
    // GIVEN node-a holds the lease
    assertThat(Await.result(leases.acquire("crl", "node-a", LONG))).isTrue();
    // WHEN node-b tries, and node-a renews
    // THEN node-b is refused, node-a renews, and the holder reads back with its remaining time
    assertThat(Await.result(leases.acquire("crl", "node-b", LONG))).isFalse();
    assertThat(Await.result(leases.acquire("crl", "node-a", LONG))).isTrue();
    LeaseRepository.Holder holder = Await.result(leases.holder("crl")).orElseThrow();
    assertThat(holder.holder()).isEqualTo("node-a");
    assertThat(holder.remaining()).isBetween(Duration.ofSeconds(50), LONG);
    // AND another duty is a lease of its own
    assertThat(Await.result(leases.acquire("other", "node-b", LONG))).isTrue();
  }

  @BackendTest
  void anExpiredLeaseGoesToTheNextTaker(Database db) throws InterruptedException {
    LeaseRepository leases = new LeaseRepository(db);
    // GIVEN node-a held a short lease that ran out
    assertThat(Await.result(leases.acquire("crl", "node-a", Duration.ofMillis(200)))).isTrue();
    Thread.sleep(400);
    assertThat(Await.result(leases.holder("crl"))).isEmpty();
    // WHEN node-b takes it THEN it holds it and node-a can no longer renew
    assertThat(Await.result(leases.acquire("crl", "node-b", LONG))).isTrue();
    assertThat(Await.result(leases.acquire("crl", "node-a", LONG))).isFalse();
    assertThat(Await.result(leases.holder("crl")).orElseThrow().holder()).isEqualTo("node-b");
  }

  @BackendTest
  void onlyTheHolderCanReleaseALease(Database db) {
    LeaseRepository leases = new LeaseRepository(db);
    assertThat(Await.result(leases.acquire("crl", "node-a", LONG))).isTrue();
    // WHEN node-b releases THEN nothing changes; WHEN node-a releases THEN node-b takes it at once
    assertThat(Await.result(leases.release("crl", "node-b"))).isFalse();
    assertThat(Await.result(leases.release("crl", "node-a"))).isTrue();
    assertThat(Await.result(leases.acquire("crl", "node-b", LONG))).isTrue();
  }
}
