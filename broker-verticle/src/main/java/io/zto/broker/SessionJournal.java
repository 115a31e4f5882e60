package io.zto.broker;

import io.vertx.core.Future;

/**
 * Where the broker records the state of persistent sessions (expiry above 0) and retained messages,
 * so that they survive a restart. Calls are made on the broker's event loop and must not block.
 */
public interface SessionJournal {

  /** Keeps nothing: the broker without persistence. */
  SessionJournal NONE = new SessionJournal() { };

  /** The session is connected (again): store it without expiry time, its queue is in memory now. */
  default void online(Session session) { }

  /** The session went offline: store its expiry time and what it still has to deliver. */
  default void offline(Session session) { }

  /** The session ended or is no longer persistent. */
  default void removed(String clientId) { }

  default void subscribed(Session session, Subscription subscription) { }

  default void unsubscribed(Session session, String rawFilter) { }

  /** A message was queued for the offline session. */
  default void queued(Session session, Outbound message) { }

  /** A retained message was stored or, with an empty payload, cleared. */
  default void retained(Message message) { }

  /** Completes when every write recorded so far for {@code clientId} is done (whether or not it worked). */
  default Future<Void> flushed(String clientId) {
    return Future.succeededFuture();
  }
}
