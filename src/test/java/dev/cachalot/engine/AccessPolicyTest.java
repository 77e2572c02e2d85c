package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.engine.ServingOptions.AccessLog;
import dev.cachalot.engine.ServingOptions.Auth;
import dev.cachalot.engine.ServingOptions.Metrics;
import org.junit.jupiter.api.Test;

/** The safe defaults: nothing changes on loopback; anywhere else, open access must be asked for and is pull-only. */
class AccessPolicyTest {

    private static AccessPolicy resolve(String listen, Auth auth, boolean allowAnonymous, Metrics metrics) {
        return AccessPolicy.resolve(ListenAddress.parse(listen), new ServingOptions(auth, allowAnonymous, metrics, AccessLog.OFF));
    }

    @Test
    void loopbackAddressesStayOpenByDefault() {
        for (String listen : new String[] {"127.0.0.1:5000", "[::1]:5000", "localhost:5000", "127.0.0.2:5000"}) {
            assertThat(resolve(listen, null, false, null).checked()).as(listen).isFalse();
        }
    }

    @Test
    void anyOtherAddressRequiresSignInByDefaultAndMetricsFollow() {
        AccessPolicy policy = resolve("0.0.0.0:5000", null, false, null);
        assertThat(policy).isEqualTo(new AccessPolicy(true, false, false));
        assertThat(resolve("0.0.0.0:5000", null, false, Metrics.ANONYMOUS).anonymousMetrics()).isTrue();
        assertThat(resolve("127.0.0.1:5000", Auth.REQUIRED, false, null))
                .as("sign-in asked for on loopback: metrics stay anonymous there").isEqualTo(new AccessPolicy(true, false, true));
    }

    @Test
    void noAuthenticationBeyondLoopbackIsRefusedUnlessAnonymousPullIsAskedForAndThenPushStillNeedsAUser() {
        assertThatThrownBy(() -> resolve("0.0.0.0:5000", Auth.NONE, false, null))
                .isInstanceOf(EngineException.class)
                .hasMessageStartingWith("refusing to serve 0.0.0.0:5000 without authentication")
                .hasMessageContaining("--allow-anonymous");
        assertThat(resolve("0.0.0.0:5000", Auth.NONE, true, null))
                .as("still checked: anonymous clients pull, users push").isEqualTo(new AccessPolicy(true, true, false));
        assertThat(resolve("127.0.0.1:5000", null, true, null))
                .as("asked for on loopback, it means pull only there too").isEqualTo(new AccessPolicy(true, true, true));
    }

    @Test
    void aNameThatDoesNotResolveIsNotLoopback() {
        assertThat(AccessPolicy.isLoopback("no-such-host.invalid")).isFalse();
    }
}
