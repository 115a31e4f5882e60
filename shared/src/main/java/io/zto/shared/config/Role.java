package io.zto.shared.config;

import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a node runs. A single node runs all roles; a cluster may split them across nodes.
 */
public enum Role {
  /** The MQTT listeners (operational, provisioning, plain) and the session/ACL logic. */
  BROKER,
  /** Matching provisioning requests against enrollments, and the operator API. */
  PROVISIONING,
  /** The EST server. */
  EST,
  /** CRL publishing and external CRL synchronisation. */
  CRL;

  /** @return the name as written in configuration, lower case */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return the valid names, comma-separated, for messages and docs */
  public static String validNames() {
    return Arrays.stream(values()).map(Role::label).collect(Collectors.joining(", "));
  }

  /**
   * @param text a role name, case-insensitive, surrounding blanks ignored
   * @return the role
   * @throws IllegalArgumentException naming the valid roles
   */
  public static Role parse(String text) {
    String wanted = text.trim().toLowerCase(Locale.ROOT);
    for (Role role : values()) {
      if (role.label().equals(wanted)) {
        return role;
      }
    }
    throw new IllegalArgumentException("unknown role '" + text.trim() + "' (valid roles: " + validNames() + ")");
  }

  /**
   * @param names role names, e.g. from a list key
   * @return the set of roles
   * @throws IllegalArgumentException at the first unknown name
   */
  public static Set<Role> parseAll(Collection<String> names) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    names.forEach(n -> roles.add(parse(n)));
    return roles;
  }
}
