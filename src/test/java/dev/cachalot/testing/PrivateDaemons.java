package dev.cachalot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the tests' private daemons ({@link PrivateContainerd}, {@link PrivateDockerd}) share: waiting until one answers,
 * and running its command-line client with a time limit.
 */
public final class PrivateDaemons {

    /** A client command's exit code and its output (stdout and stderr interleaved). */
    public record Result(int exitCode, String output) {
    }

    private PrivateDaemons() {
    }

    /**
     * Waits up to {@code limit} until {@code answers} holds, polling every {@code poll}; fails with the daemon's log when
     * it exits or does not answer in time.
     */
    static void awaitReady(String name, Process daemon, Path log, Duration limit, Duration poll, BooleanSupplier answers)
            throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) throw new AssertionError(name + " exited:\n" + Files.readString(log));
            if (answers.getAsBoolean()) return;
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while " + name + " started", e);
            }
        }
        throw new AssertionError(name + " did not answer within " + limit.toSeconds() + " s:\n" + Files.readString(log));
    }

    /** Runs {@code command} (its output kept in {@code folder}); fails when it does not finish within {@code timeout}. */
    static Result run(Path folder, String client, Duration timeout, List<String> command) {
        try {
            Path out = Files.createTempFile(folder, client + "-", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(client + " " + String.join(" ", command.subList(1, command.size()))
                        + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
