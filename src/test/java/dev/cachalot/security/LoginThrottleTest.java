package dev.cachalot.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final LoginThrottle throttle = new LoginThrottle(now::get);

    @Test
    void tenFailuresAreFreeThenTheAddressWaitsForTheBucketToRefill() {
        for (int i = 0; i < LoginThrottle.BURST; i++) {
            assertThat(throttle.waitSeconds("10.0.0.1")).as("attempt %d", i).isZero();
            assertThat(throttle.failed("10.0.0.1")).isEqualTo(LoginThrottle.BURST - 1 - i);
        }
        assertThat(throttle.waitSeconds("10.0.0.1")).isEqualTo(LoginThrottle.REFILL_SECONDS);
        assertThat(throttle.waitSeconds("10.0.0.2")).as("another address is not held back").isZero();

        now.addAndGet(2_000_000_000L);
        assertThat(throttle.waitSeconds("10.0.0.1")).isEqualTo(LoginThrottle.REFILL_SECONDS - 2);
        now.addAndGet(4_000_000_000L);
        assertThat(throttle.waitSeconds("10.0.0.1")).as("one try earned back").isZero();
        throttle.failed("10.0.0.1");
        assertThat(throttle.waitSeconds("10.0.0.1")).isPositive();
    }

    @Test
    void aQuietAddressEarnsItsWholeBurstBack() {
        for (int i = 0; i < LoginThrottle.BURST; i++) throttle.failed("10.0.0.3");
        now.addAndGet(LoginThrottle.REFILL_SECONDS * LoginThrottle.BURST * 1_000_000_000L);
        assertThat(throttle.failed("10.0.0.3")).isEqualTo(LoginThrottle.BURST - 1);
    }
}
