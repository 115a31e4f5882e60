package io.zto.shared.domain;

import java.util.List;

/**
 * One page of a listing, with the cursor of the next page ({@code null} on the last one). Cursors are
 * opaque to callers; keyset paging keeps pages stable while rows are added.
 */
public record Page<T>(List<T> items, String nextCursor) {

  public Page {
    items = List.copyOf(items);
  }
}
