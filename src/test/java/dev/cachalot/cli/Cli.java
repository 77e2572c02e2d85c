package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code cachalot --data DIR ...} in this JVM, capturing what it prints, as a user's shell would see it. */
final class Cli {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path data;

    Cli(Path data) {
        this.data = data;
    }

    /** What one command did. */
    record Run(List<String> args, int exit, String out, String err) {

        /** The command succeeded and printed nothing on stderr. */
        Run succeeded() {
            assertThat(exit).as("exit code of %s, stderr: %s", args, err).isZero();
            assertThat(err).as("stderr of %s", args).isEmpty();
            return this;
        }

        /** The command failed with exit 1 and exactly one line {@code cachalot: ...} on stderr, nothing on stdout. */
        String failedWithOneLine() {
            assertThat(exit).as("exit code of %s", args).isEqualTo(1);
            assertThat(out).as("stdout of %s", args).isEmpty();
            assertThat(err.lines().toList()).as("stderr of %s", args).singleElement()
                    .satisfies(line -> assertThat(line).startsWith("cachalot: "));
            return err.strip();
        }

        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("stdout of " + args + " is not JSON: " + out, e);
            }
        }

        /** Table rows (header excluded), each split on runs of two or more spaces. */
        List<List<String>> rows() {
            List<String> lines = out.lines().toList();
            List<List<String>> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) rows.add(List.of(line.split(" {2,}")));
            return rows;
        }

        String header() {
            return out.lines().findFirst().orElse("");
        }
    }

    /**
     * {@code cachalot SUBCOMMAND --data DIR ...}: after the subcommand, as a user may write it, so the CLI builds only
     * that subcommand (as it does in production); {@code --data DIR ...} first when there is no subcommand.
     */
    Run run(String... args) {
        List<String> full = new ArrayList<>();
        int rest = 0;
        if (args.length > 0 && CachalotCommand.SUBCOMMANDS.contains(args[0])) {
            full.add(args[0]);
            rest = 1;
        }
        full.addAll(List.of("--data", data.toString()));
        full.addAll(List.of(args).subList(rest, args.length));
        return runRaw(full.toArray(String[]::new));
    }

    /** Without adding {@code --data}. */
    static Run runRaw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        try (PrintWriter o = new PrintWriter(out, true); PrintWriter e = new PrintWriter(err, true)) {
            exit = CachalotCommand.execute(o, e, args);
        }
        return new Run(List.of(args), exit, out.toString(), err.toString());
    }
}
