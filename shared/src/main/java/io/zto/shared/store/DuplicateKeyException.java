package io.zto.shared.store;

/** An insert or update would break a unique key: the thing exists already. */
public class DuplicateKeyException extends StoreException {

  public DuplicateKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
