package io.zto.shared.store;

import io.vertx.core.Vertx;
import io.zto.shared.testing.Await;
import java.nio.file.Path;

/**
 * The second process of {@link DatabaseTest#secondProcessOnTheSameEmbeddedFileIsRefused}: opens the
 * embedded database file given as its argument, prints {@code OPENED} or {@code REFUSED: <message>}, and
 * exits 0 or 3.
 */
final class OpenEmbeddedDatabase {

  static final int REFUSED = 3;

  private OpenEmbeddedDatabase() {
  }

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    int exitCode = 0;
    try {
      Database db = Await.result(Database.open(vertx, new DatabaseOptions().setEmbeddedFile(Path.of(args[0]))));
      System.out.println("OPENED");
      Await.result(db.close());
    } catch (RuntimeException e) {
      System.out.println("REFUSED: " + e.getMessage());
      exitCode = REFUSED;
    } finally {
      Await.result(vertx.close());
    }
    System.exit(exitCode);
  }
}
