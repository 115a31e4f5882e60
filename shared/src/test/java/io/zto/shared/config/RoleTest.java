package io.zto.shared.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoleTest {

  @Test
  void rolesParseCaseInsensitively() {
    // GIVEN role names in mixed case WHEN parsing THEN they map to the enum
    assertThat(Role.parse(" Broker ")).isEqualTo(Role.BROKER);
    assertThat(Role.parseAll(List.of("est", "CRL", "est"))).containsExactly(Role.EST, Role.CRL);
  }

  @Test
  void invalidRoleNamesTheValidOnes() {
    // GIVEN an unknown role WHEN parsing THEN the message lists the valid roles
    assertThatThrownBy(() -> Role.parse("router"))
      .hasMessage("unknown role 'router' (valid roles: broker, provisioning, est, crl)");
  }

  @Test
  void invalidRoleInConfigurationNamesSourceAndValidValues() {
    // GIVEN an unknown role in the environment
    ConfigLoader loader = new ConfigLoader().environment(Map.of("ZTO_ROLES", "broker,router"));
    // WHEN loading THEN the variable and the valid values are named
    assertThatThrownBy(loader::load).isInstanceOf(ConfigException.class)
      .hasMessage("ZTO_ROLES: 'router' is not one of broker, provisioning, est, crl");
  }

  @Test
  void emptyRoleListIsRefused() {
    // GIVEN no roles at all WHEN loading THEN it is an error: a node that runs nothing is a mistake
    assertThatThrownBy(() -> ZtoConfig.of(Map.of("roles", " , ")))
      .hasMessage("--set roles: must name at least one value");
  }

  @Test
  void nodeConfigExposesTheRoles() {
    // GIVEN --roles WHEN building the records THEN the node has exactly those roles
    NodeConfig node = ZtoConfig.of(Map.of("roles", "est,crl")).node();
    assertThat(node.hasRole(Role.EST)).isTrue();
    assertThat(node.hasRole(Role.BROKER)).isFalse();
    assertThat(ZtoConfig.defaults().node().roles()).containsExactly(Role.values());
  }
}
