package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.zto.shared.domain.Command;
import io.zto.shared.domain.Page;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

class CommandRepositoryTest {

  private static final Instant NOW = Instant.parse("2026-11-28T04:00:00Z");

  private static Command command(String id, String deviceId, long createdOffset, long expiresOffset) {
    return new Command(id, deviceId, "reboot", new JsonObject().put("delay", 5), "eyJ.x.y", Command.Status.PENDING,
        null, "operator", NOW.plusSeconds(createdOffset), NOW.plusSeconds(expiresOffset), null, null);
  }

  @BackendTest
  void createdCommandReadsBackWithEveryField(Database db) {
    CommandRepository commands = new CommandRepository(db);
    Command c = Await.result(commands.create(command("c1", "dev-1", 0, 600)));
    assertThat(Await.result(commands.get("c1"))).contains(c);
    assertThat(Await.failure(commands.create(command("c1", "dev-2", 0, 600))))
        .isInstanceOf(DuplicateKeyException.class).hasMessageContaining("c1");
  }

  @BackendTest
  void commandGoesFromPendingToSentToCompletedOnce(Database db) {
    CommandRepository commands = new CommandRepository(db);
    Await.result(commands.create(command("c1", "dev-1", 0, 600)));
    // WHEN sent twice THEN only the first marks it
    assertThat(Await.result(commands.markSent("c1", NOW.plusSeconds(1)))).isTrue();
    assertThat(Await.result(commands.markSent("c1", NOW.plusSeconds(2)))).isFalse();
    // WHEN the reply arrives twice THEN only the first completes it
    JsonObject reply = new JsonObject().put("status", "ok").put("result", 42);
    assertThat(Await.result(commands.complete("c1", Command.Status.COMPLETED, reply, NOW.plusSeconds(3)))).isTrue();
    assertThat(Await.result(commands.complete("c1", Command.Status.FAILED, new JsonObject(), NOW.plusSeconds(4))))
        .isFalse();
    Command stored = Await.result(commands.get("c1")).orElseThrow();
    assertThat(stored.status()).isEqualTo(Command.Status.COMPLETED);
    assertThat(stored.sentAt()).isEqualTo(NOW.plusSeconds(1));
    assertThat(stored.completedAt()).isEqualTo(NOW.plusSeconds(3));
    assertThat(stored.result()).isEqualTo(reply);
  }

  @BackendTest
  void concurrentRepliesCompleteExactlyOnce(Database db) {
    CommandRepository commands = new CommandRepository(db);
    Await.result(commands.create(command("c1", "dev-1", 0, 600)));
    Future<Boolean> a = commands.complete("c1", Command.Status.COMPLETED, new JsonObject().put("n", 1), NOW);
    Future<Boolean> b = commands.complete("c1", Command.Status.FAILED, new JsonObject().put("n", 2), NOW);
    boolean aWon = Await.result(a);
    boolean bWon = Await.result(b);
    assertThat(aWon ^ bWon).isTrue();
    assertThat(Await.result(commands.get("c1")).orElseThrow().status())
        .isEqualTo(aWon ? Command.Status.COMPLETED : Command.Status.FAILED);
  }

  @BackendTest
  void dueCommandsExpireOnceAndCannotCompleteAfterwards(Database db) {
    CommandRepository commands = new CommandRepository(db);
    // GIVEN a pending one due at +60, a sent one due at +120, one due at +600 and a completed one due at +30
    Await.result(commands.create(command("due-pending", "dev-1", 0, 60)));
    Await.result(commands.create(command("due-sent", "dev-1", 1, 120)));
    Await.result(commands.markSent("due-sent", NOW));
    Await.result(commands.create(command("later", "dev-1", 2, 600)));
    Await.result(commands.create(command("done", "dev-1", 3, 30)));
    Await.result(commands.complete("done", Command.Status.COMPLETED, null, NOW));
    // WHEN expiry runs at +300
    List<String> expired = Await.result(commands.expireDue(NOW.plusSeconds(300)));
    // THEN the two due open ones expire, once
    assertThat(expired).containsExactlyInAnyOrder("due-pending", "due-sent");
    assertThat(Await.result(commands.expireDue(NOW.plusSeconds(300)))).isEmpty();
    assertThat(Await.result(commands.get("due-sent")).orElseThrow().status()).isEqualTo(Command.Status.EXPIRED);
    assertThat(Await.result(commands.get("done")).orElseThrow().status()).isEqualTo(Command.Status.COMPLETED);
    // AND a late reply does not complete an expired command
    assertThat(Await.result(commands.complete("due-sent", Command.Status.COMPLETED, null, NOW.plusSeconds(301))))
        .isFalse();
    assertThat(Await.result(commands.openFor("dev-1", NOW.plusSeconds(300)))).extracting(Command::id)
        .containsExactly("later");
  }

  @BackendTest
  void deviceListingPagesNewestFirst(Database db) {
    CommandRepository commands = new CommandRepository(db);
    for (int i = 0; i < 5; i++) {
      Await.result(commands.create(command("c" + i, "dev-1", i, 600)));
    }
    Await.result(commands.create(command("x", "dev-2", 0, 600)));
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      Page<Command> page = Await.result(commands.listByDevice("dev-1", cursor, 2));
      page.items().forEach(c -> seen.add(c.id()));
      cursor = page.nextCursor();
    } while (cursor != null);
    assertThat(seen).containsExactly("c4", "c3", "c2", "c1", "c0");
  }
}
