package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PacketIdsTest {

  @Test
  void idsInFlightAreNeverHandedOutAgain() {
    // GIVEN id 1 still in flight and all others released after one full cycle
    PacketIds ids = new PacketIds();
    int first = ids.allocate();
    for (int i = 2; i <= PacketIds.MAX; i++) {
      ids.release(ids.allocate());
    }
    // WHEN the counter wraps THEN id 1 is skipped and 0 never appears
    int wrapped = ids.allocate();
    assertThat(first).isEqualTo(1);
    assertThat(wrapped).isEqualTo(2);
  }

  @Test
  void allIdsInUseYieldsNone() {
    PacketIds ids = new PacketIds();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < PacketIds.MAX; i++) {
      seen.add(ids.allocate());
    }
    assertThat(seen).hasSize(PacketIds.MAX).doesNotContain(0);
    assertThat(ids.allocate()).isEqualTo(-1);
    ids.release(4711);
    assertThat(ids.allocate()).isEqualTo(4711);
  }

  @Test
  void theWindowHoldsNoMoreThanReceiveMaximumAndFreesIdsOnAck() {
    InflightWindow window = new InflightWindow();
    Outbound a = window.send(new Outbound(Message.simple("t", Buffer.buffer("a"), 1, false), 1, false, null));
    Outbound b = window.send(new Outbound(Message.simple("t", Buffer.buffer("b"), 2, false), 2, false, null));
    assertThat(window.hasRoom(2)).isFalse();
    assertThat(window.received(b.packetId())).isTrue();
    assertThat(window.complete(a.packetId())).isTrue();
    assertThat(window.complete(a.packetId())).isFalse();
    assertThat(window.hasRoom(2)).isTrue();
    assertThat(window.inflight()).extracting(Outbound::released).containsExactly(true);
  }
}
