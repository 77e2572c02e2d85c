package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.storage.DataFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token the engine compares on every request, read from the file storage writes after each configuration change. */
class ConfigSignalTest {

    @TempDir
    Path temp;

    @Test
    void everyCommittedChangeLeavesATokenNotSeenBefore() {
        DataFolder folder = new DataFolder(temp.resolve("data"));
        try (Engine engine = Engine.open(folder); ConfigSignal signal = signalOf(folder)) {
            Set<Long> seen = new HashSet<>();
            seen.add(signal.read());
            // back to back, many inside one millisecond: the case a modification time could not tell apart
            for (int i = 0; i < 50; i++) {
                engine.createRule(new RuleDraft("rule-" + i, "mcr.microsoft.com/app" + i, "app" + i, null, null));
                assertThat(seen.add(signal.read())).as("token after change %d is new", i).isTrue();
            }
            assertThat(seen).doesNotContain(ConfigSignal.UNKNOWN);
        }
    }

    @Test
    void readingTwiceWithoutAChangeGivesTheSameToken() {
        DataFolder folder = new DataFolder(temp.resolve("data"));
        try (Engine engine = Engine.open(folder); ConfigSignal signal = signalOf(folder)) {
            engine.createRule(new RuleDraft("one-rule", "mcr.microsoft.com/app", "app", null, null));
            assertThat(signal.read()).isEqualTo(signal.read()).isNotEqualTo(ConfigSignal.UNKNOWN);
        }
    }

    @Test
    void aMissingOrHalfWrittenSignalReadsAsUnknown() throws Exception {
        Path file = temp.resolve(ConfigSignal.FILE_NAME);
        try (ConfigSignal signal = new ConfigSignal(file)) {
            assertThat(signal.read()).as("no file yet").isEqualTo(ConfigSignal.UNKNOWN);
            Files.writeString(file, "");
            assertThat(signal.read()).as("truncated, not yet written").isEqualTo(ConfigSignal.UNKNOWN);
            Files.writeString(file, "not hex");
            assertThat(signal.read()).isEqualTo(ConfigSignal.UNKNOWN);
            Files.writeString(file, "1f2e3d4c5b6a");
            assertThat(signal.read()).isEqualTo(0x1f2e3d4c5b6aL);
        }
    }

    @Test
    void anInterruptedReaderDoesNotBreakTheSignalForOthers() throws Exception {
        Path file = temp.resolve(ConfigSignal.FILE_NAME);
        Files.writeString(file, "abc");
        try (ConfigSignal signal = new ConfigSignal(file)) {
            assertThat(signal.read()).isEqualTo(0xabcL);
            Thread.currentThread().interrupt(); // closes a FileChannel that the interrupted thread reads from
            try {
                signal.read();
            } finally {
                Thread.interrupted();
            }
            assertThat(signal.read()).isEqualTo(0xabcL);
        }
    }

    private static ConfigSignal signalOf(DataFolder folder) {
        return new ConfigSignal(folder.database().resolve(ConfigSignal.FILE_NAME));
    }
}
