package dev.cachalot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdleHeapReleaseTest {

    private final AtomicLong collections = new AtomicLong(7);
    private final AtomicInteger released = new AtomicInteger();
    /** The release's own collection counts as one, as System.gc() does. */
    private final IdleHeapRelease release = new IdleHeapRelease(collections::get, () -> {
        released.incrementAndGet();
        collections.incrementAndGet();
    });

    @Test
    void theStartIsNotWorkAndAnIdleProcessIsLeftAlone() {
        collections.addAndGet(5);
        assertThat(release.look()).as("the first look only takes the count").isFalse();
        for (int i = 0; i < 3; i++) {
            assertThat(release.look()).isFalse();
        }
        assertThat(released).hasValue(0);
    }

    @Test
    void collectsOnceWhenCollectionsStopAfterWork() {
        release.look();
        collections.addAndGet(3);
        assertThat(release.look()).as("collections still running: busy").isFalse();
        assertThat(release.look()).as("none since the last look: idle after work").isTrue();
        assertThat(release.look()).as("its own collection is not work").isFalse();
        assertThat(release.look()).isFalse();
        assertThat(released).hasValue(1);
    }

    @Test
    void aBusyProcessIsNeverCollectedForAndWorkAgainEarnsAnotherRelease() {
        release.look();
        for (int i = 0; i < 5; i++) {
            collections.incrementAndGet();
            assertThat(release.look()).isFalse();
        }
        assertThat(release.look()).isTrue();
        collections.incrementAndGet();
        assertThat(release.look()).isFalse();
        assertThat(release.look()).isTrue();
        assertThat(released).hasValue(2);
    }

    @Test
    void whatTheEngineKeepsIsLetGoRightBeforeTheCollection() {
        List<String> order = new ArrayList<>();
        IdleHeapRelease withLetGo = new IdleHeapRelease(collections::get, () -> {
            order.add("collect");
            collections.incrementAndGet();
        });
        withLetGo.beforeCollecting(() -> order.add("first engine"));
        withLetGo.beforeCollecting(() -> order.add("let go"));
        withLetGo.look();
        collections.incrementAndGet();
        withLetGo.look();
        assertThat(withLetGo.look()).isTrue();
        assertThat(order).containsExactly("let go", "collect");
    }

    @Test
    void aFailureToLetGoStillCollects() {
        release.beforeCollecting(() -> {
            throw new IllegalStateException("engine closed");
        });
        release.look();
        collections.incrementAndGet();
        release.look();
        assertThat(release.look()).isTrue();
        assertThat(released).hasValue(1);
    }
}
