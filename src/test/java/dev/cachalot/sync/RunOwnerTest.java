package dev.cachalot.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The owner of a RUNNING sync run on an embedded database is a process, named by its pid and start: alive while that
 * process runs, gone once it was killed, and not mistaken for a later process given the same pid.
 */
class RunOwnerTest {

    @Test
    void thisProcessIsAliveAndReadsBackAsWritten() {
        RunOwner self = RunOwner.current();

        assertThat(RunOwner.parse(self.text())).contains(self);
        assertThat(RunOwner.isAlive(self.text())).isTrue();
    }

    @Test
    void anotherProcessIsAliveUntilKilledAndOnlyWithItsOwnStart() throws Exception {
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            RunOwner owner = new RunOwner(other.pid(), other.info().startInstant().orElseThrow());
            assertThat(RunOwner.isAlive(owner.text())).isTrue();
            assertThat(RunOwner.isAlive("pid " + other.pid())).as("a row without the start: the pid decides").isTrue();
            // The same pid with another start: a process that got the dead one's pid, not the one that ran the sync.
            Instant earlier = owner.startedAt().minus(Duration.ofHours(1));
            assertThat(RunOwner.isAlive(new RunOwner(other.pid(), earlier).text())).isFalse();

            other.destroyForcibly();
            assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();

            assertThat(RunOwner.isAlive(owner.text())).isFalse();
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void noOrAnUnknownOwnerIsNotAlive() {
        assertThat(RunOwner.isAlive(null)).isFalse();
        assertThat(RunOwner.isAlive("node-7")).isFalse();
        assertThat(RunOwner.parse("pid 12 started yesterday")).isEmpty();
    }
}
