package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SelfTestCommandTest {

    @Test
    void pushesAnImageAndPullsItThroughATemporaryCacheThenCleansUp() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = selfTestFolders(tmp);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = CachalotCommand.commandLine(new PrintWriter(out), new PrintWriter(err)).execute("selftest");

        assertThat(exit).as("exit status; stderr: %s", err).isZero();
        assertThat(out.toString()).contains("Self-test passed")
                .contains("cold from the upstream").contains("then from the cache").contains("every digest matched");
        assertThat(selfTestFolders(tmp)).as("temporary folders left behind").isEqualTo(before);
    }

    private static long selfTestFolders(Path tmp) throws Exception {
        try (Stream<Path> entries = Files.list(tmp)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("cachalot-selftest-")).count();
        }
    }
}
