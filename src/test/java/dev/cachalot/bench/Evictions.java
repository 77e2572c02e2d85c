package dev.cachalot.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Waiting for a subject to have stored a blob: the peer goes on storing after its client was served. */
final class Evictions {
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private Evictions() {
    }

    /** The hex part of {@code sha256:…}, as both subjects name their blob files. */
    static String hex(String digest) {
        return digest.substring(digest.indexOf(':') + 1);
    }

    /**
     * Waits until {@code file} exists with {@code size} bytes ({@code -1}: any size); fails after a minute. Polls every
     * 20 ms rather than at Awaitility's default 100 ms: the wait ends a span the benchmark reports.
     */
    static void awaitFile(Path file, long size, String what) {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (true) {
            try {
                if (Files.isRegularFile(file) && (size < 0 || Files.size(file) == size)) {
                    return;
                }
            } catch (IOException e) {
                // moved or replaced between the two calls: look again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not appear at " + file + " within 60 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted waiting for " + what));
            }
        }
    }
}
