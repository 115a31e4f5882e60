package io.zto.shared.pki;

import io.zto.shared.security.Secrets;

/**
 * The factory provisioning username/password that every device presents on the provisioning
 * listener (contract §0, {@code provisioning-credentials.json}).
 */
public record ProvisioningCredentials(String username, String password) {

  public static final String DEFAULT_USERNAME = "zto-provisioning";

  /** Whether {@code username}/{@code password} match, compared in constant time. */
  public boolean matches(String username, String password) {
    // both compared, no short-circuit, so timing does not reveal which one was wrong
    boolean user = Secrets.constantTimeEquals(this.username, username);
    boolean pass = Secrets.constantTimeEquals(this.password, password);
    return user & pass;
  }

  @Override
  public String toString() {
    return "ProvisioningCredentials[username=" + username + ", password=***]";
  }
}
