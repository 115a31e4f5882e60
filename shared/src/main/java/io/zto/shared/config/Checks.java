package io.zto.shared.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Constraints used by {@link ConfigKeys}, beyond what the types check.
 */
final class Checks {

  private static final Set<String> ACCOUNT_FIELDS = Set.of("username", "passwordHash", "allow", "publish",
    "subscribe");
  private static final Set<String> PROFILE_FIELDS = Set.of("name", "validity", "approval");
  private static final Set<String> RESERVED_LABELS = Set.of("cacerts", "simpleenroll", "simplereenroll", "csrattrs",
    "serverkeygen", "fullcmc");

  private Checks() {
  }

  static ConfigKey.Check range(long min, long max) {
    return v -> {
      long n = ((Number) v).longValue();
      return n < min || n > max ? "must be between " + min + " and " + max + ", got " + n : null;
    };
  }

  static ConfigKey.Check atLeast(long min) {
    return v -> ((Number) v).longValue() < min ? "must be at least " + min + ", got " + v : null;
  }

  static ConfigKey.Check positiveDuration() {
    return v -> ((Duration) v).isZero() ? "must be longer than 0" : null;
  }

  static ConfigKey.Check durationBetween(Duration min, Duration max) {
    return v -> {
      Duration d = (Duration) v;
      return d.compareTo(min) < 0 || d.compareTo(max) > 0
          ? "must be between " + Durations.format(min) + " and " + Durations.format(max) + ", got " + Durations.format(d)
          : null;
    };
  }

  static ConfigKey.Check notBlank() {
    return v -> String.valueOf(v).isBlank() ? "must not be empty" : null;
  }

  static ConfigKey.Check notEmptyList() {
    return v -> ((List<?>) v).isEmpty() ? "must name at least one value" : null;
  }

  /** Empty (meaning: derived) or an absolute http(s) URL. */
  static ConfigKey.Check httpUrlOrEmpty() {
    return v -> {
      String s = (String) v;
      if (s.isEmpty()) {
        return null;
      }
      try {
        URI uri = new URI(s);
        boolean ok = ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        return ok ? null : "'" + s + "' is not an http:// or https:// URL with a host";
      } catch (URISyntaxException e) {
        return "'" + s + "' is not a URL: " + e.getReason();
      }
    };
  }

  /** Empty (embedded), {@code sqlite:PATH}, or a PostgreSQL URL. */
  static ConfigKey.Check dbUrl() {
    return v -> {
      String s = (String) v;
      if (s.isEmpty() || (s.startsWith(DbConfig.SQLITE_SCHEME) && s.length() > DbConfig.SQLITE_SCHEME.length())) {
        return null;
      }
      if (s.startsWith("postgresql://") || s.startsWith("postgres://")) {
        try {
          return new URI(s).getHost() == null ? "'" + DbConfig.redact(s) + "' has no host" : null;
        } catch (URISyntaxException e) {
          return "'" + DbConfig.redact(s) + "' is not a URL: " + e.getReason();
        }
      }
      return "'" + DbConfig.redact(s) + "' is not a database URL (empty for embedded, sqlite:PATH, "
        + "or postgresql://user:pass@host:port/db)";
    };
  }

  /** Every element is {@code host} or {@code host:port}; IPv6 literals in brackets. */
  static ConfigKey.Check hostPorts() {
    return v -> {
      for (Object member : (List<?>) v) {
        try {
          ClusterConfig.Member.parse((String) member, 1);
        } catch (IllegalArgumentException e) {
          return e.getMessage();
        }
      }
      return null;
    };
  }

  /** Each element is {@code {username, passwordHash, allow: [topic filters]}}, usernames unique. */
  static ConfigKey.Check serviceAccounts() {
    return v -> {
      Set<String> seen = new HashSet<>();
      List<?> accounts = (List<?>) v;
      for (int i = 0; i < accounts.size(); i++) {
        String problem = serviceAccount((Map<?, ?>) accounts.get(i), seen);
        if (problem != null) {
          return "service account " + (i + 1) + ": " + problem;
        }
      }
      return null;
    };
  }

  private static String serviceAccount(Map<?, ?> account, Set<String> seen) {
    for (Object field : account.keySet()) {
      if (!ACCOUNT_FIELDS.contains(String.valueOf(field))) {
        return "unknown field '" + field + "'" + Suggestions.didYouMean(String.valueOf(field), ACCOUNT_FIELDS);
      }
    }
    if (!(account.get("username") instanceof String user) || user.isBlank()) {
      return "'username' must be a non-empty string";
    }
    if (!seen.add(user)) {
      return "username '" + user + "' appears twice";
    }
    if (!(account.get("passwordHash") instanceof String hash) || hash.isBlank()) {
      return "'passwordHash' must be a non-empty string";
    }
    for (String field : List.of("allow", "publish", "subscribe")) {
      Object value = account.containsKey(field) ? account.get(field) : List.of();
      if (!(value instanceof List<?> filters) || filters.stream().anyMatch(f -> !(f instanceof String))) {
        return "'" + field + "' must be a list of topic filters";
      }
    }
    return null;
  }

  static ConfigKey.Check estProfiles() {
    return v -> {
      Set<String> seen = new HashSet<>();
      List<?> profiles = (List<?>) v;
      for (int i = 0; i < profiles.size(); i++) {
        String problem = estProfile((Map<?, ?>) profiles.get(i), seen);
        if (problem != null) {
          return "EST profile " + (i + 1) + ": " + problem;
        }
      }
      return null;
    };
  }

  private static String estProfile(Map<?, ?> profile, Set<String> seen) {
    for (Object field : profile.keySet()) {
      if (!PROFILE_FIELDS.contains(String.valueOf(field))) {
        return "unknown field '" + field + "'" + Suggestions.didYouMean(String.valueOf(field), PROFILE_FIELDS);
      }
    }
    if (!(profile.get("name") instanceof String name) || !name.matches("[A-Za-z0-9._-]{1,64}")) {
      return "'name' must be 1 to 64 letters, digits, '.', '_' or '-'";
    }
    if (RESERVED_LABELS.contains(name) || !seen.add(name)) {
      return "name '" + name + "' is an EST operation or appears twice";
    }
    Object validity = profile.get("validity");
    if (validity != null) {
      try {
        if (Durations.parse(String.valueOf(validity)).compareTo(Duration.ofSeconds(1)) < 0) {
          return "'validity' must be at least 1s";
        }
      } catch (IllegalArgumentException e) {
        return "'validity': " + e.getMessage();
      }
    }
    Object approval = profile.get("approval");
    if (approval != null && !"auto".equals(approval) && !"manual".equals(approval)) {
      return "'approval' must be auto or manual, not '" + approval + "'";
    }
    return null;
  }
}
