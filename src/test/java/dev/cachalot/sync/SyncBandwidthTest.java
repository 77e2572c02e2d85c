package dev.cachalot.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SyncBandwidthTest {

    @Test
    void asksForAWaitThatBringsTheAverageUnderTheCeiling() {
        SyncBandwidth bandwidth = new SyncBandwidth(1024 * 1024);

        long first = bandwidth.take(512 * 1024);
        long second = bandwidth.take(1024 * 1024);

        // half a second of budget, then a second more, less the little time between the calls
        assertThat(first).isBetween(TimeUnit.MILLISECONDS.toNanos(400), TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(second).isBetween(TimeUnit.MILLISECONDS.toNanos(1400), TimeUnit.MILLISECONDS.toNanos(1500));
    }

    @Test
    void noCeilingAndNoBytesAskForNoWait() {
        assertThat(new SyncBandwidth(0).take(1L << 40)).isZero();
        assertThat(new SyncBandwidth(1024).take(0)).isZero();
    }
}
