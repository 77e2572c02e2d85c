package dev.cachalot.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoleAndScopeTest {

    @Test
    void eachRoleIncludesTheOneBeforeAndDeleteGoesWithPush() {
        assertThat(Role.PULL.permissions()).containsExactly(Permission.PULL);
        assertThat(Role.PUSH.permissions()).containsExactlyInAnyOrder(Permission.PULL, Permission.PUSH, Permission.DELETE);
        assertThat(Role.ADMIN.permissions()).containsExactlyInAnyOrder(Permission.values());
        assertThat(Role.parse(" Push ")).isEqualTo(Role.PUSH);
        assertThatThrownBy(() -> Role.parse("delete")).hasMessageContaining("use pull, push or admin");
    }

    @Test
    void aScopeNameMayHoldAColonBecauseTheActionsFollowTheLastOne() {
        Scope scope = Scope.parse("repository:localhost:5000/team/app:push,pull");
        assertThat(scope.type()).isEqualTo("repository");
        assertThat(scope.name()).isEqualTo("localhost:5000/team/app");
        assertThat(scope.actions()).isEqualTo(Set.of("pull", "push"));
        assertThat(scope.toString()).isEqualTo("repository:localhost:5000/team/app:pull,push");
    }

    @Test
    void scopesComeRepeatedOrSpaceSeparatedAndMalformedOnesAreDropped() {
        List<Scope> scopes = Scope.parseAll(List.of("repository:a:pull repository:b:pull,push", "nonsense", "repository:c:"));
        assertThat(scopes).extracting(Scope::name).containsExactly("a", "b");
    }
}
