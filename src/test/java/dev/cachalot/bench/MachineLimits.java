package dev.cachalot.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * The machine's own ceilings, measured in the same run as the registries so their numbers can be read against
 * them: a registry cannot serve a warm blob faster than a plain loopback socket copy, nor a cold one faster than
 * one core can SHA-256 it.
 *
 * @param loopbackMiBps plain socket copy over 127.0.0.1, one stream (channels, direct buffers)
 * @param pageCacheReadMiBps reading a file that is already in the page cache
 * @param fileWriteBeforeTouchMiBps writing a new file before the memory pre-touch: on a freshly booted VM this is the
 *                                  guest's first touch of page-cache pages, not the disk
 * @param fileWriteMiBps writing a new file of the probe's size (no sync) after the pre-touch: what the kernel accepts
 *                       into the page cache, throttled to the disk's pace once dirty pages pile up
 * @param sha256MiBps single-core SHA-256 of in-memory data (JDK provider)
 * @param preTouchedMib memory touched by {@link MemoryPreTouch} between the two file writes
 * @param preTouchSeconds how long that took
 */
record MachineLimits(double loopbackMiBps, double pageCacheReadMiBps, double fileWriteBeforeTouchMiBps,
                     double fileWriteMiBps, double sha256MiBps, long preTouchedMib, double preTouchSeconds) {

    private static final int CHUNK = 1 << 20;

    /**
     * Measures each limit moving {@code mib} MiB; {@code scratch} holds the temporary file. Touches
     * {@code preTouchMib} MiB of memory first ({@link MemoryPreTouch}), with a new-file write measured before and
     * after it; everything measured later in the run runs on the touched machine.
     */
    static MachineLimits measure(int mib, long preTouchMib, Path scratch) {
        double writeBefore = fileWriteAndRead(mib, scratch)[0];
        MemoryPreTouch.Touched touched = MemoryPreTouch.run(preTouchMib);
        double loopback = loopback(mib);
        double[] file = fileWriteAndRead(mib, scratch);
        return new MachineLimits(loopback, file[1], writeBefore, file[0], sha256(mib), touched.mib(), touched.seconds());
    }

    /**
     * Socket channels and direct buffers on both ends, as a server that writes from the page cache and the
     * benchmark's client use them: each side pays the one kernel copy a socket transfer cannot avoid.
     */
    static double loopback(int mib) {
        long bytes = (long) mib * CHUNK;
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (SocketChannel socket = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                    ByteBuffer block = ByteBuffer.allocateDirect(CHUNK).put(randomBlock()).flip();
                    for (long sent = 0; sent < bytes; ) {
                        block.clear().limit((int) Math.min(CHUNK, bytes - sent));
                        while (block.hasRemaining()) {
                            sent += socket.write(block);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (SocketChannel socket = server.accept()) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
                long start = System.nanoTime();
                long read = 0;
                for (int n; (n = socket.read(buffer.clear())) >= 0; ) {
                    read += n;
                }
                long nanos = System.nanoTime() - start;
                writer.join();
                return mibPerSecond(read, nanos);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** MiB/s writing a new file, then reading it back from the page cache: {@code {write, read}}. */
    static double[] fileWriteAndRead(int mib, Path scratch) {
        Path file = scratch.resolve("page-cache-probe.bin");
        try {
            Files.createDirectories(scratch);
            double write;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer block = ByteBuffer.allocateDirect(CHUNK).put(randomBlock());
                long writeStart = System.nanoTime();
                for (int i = 0; i < mib; i++) {
                    block.clear();
                    while (block.hasRemaining()) {
                        channel.write(block);
                    }
                }
                write = mibPerSecond((long) mib * CHUNK, System.nanoTime() - writeStart);
            }
            readAll(file); // first read fills the page cache (it mostly is already, after the write)
            long start = System.nanoTime();
            long read = readAll(file);
            return new double[] {write, mibPerSecond(read, System.nanoTime() - start)};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // scratch folder is removed at the end anyway
            }
        }
    }

    static double sha256(int mib) {
        byte[] block = randomBlock();
        MessageDigest warmUp = newSha256();
        for (int i = 0; i < Math.max(16, mib / 4); i++) {
            warmUp.update(block);
        }
        warmUp.digest();
        MessageDigest md = newSha256();
        long start = System.nanoTime();
        for (int i = 0; i < mib; i++) {
            md.update(block);
        }
        md.digest();
        return mibPerSecond((long) mib * CHUNK, System.nanoTime() - start);
    }

    private static long readAll(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        long total = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int n; (n = channel.read(buffer)) >= 0; ) {
                total += n;
                buffer.clear();
            }
        }
        return total;
    }

    private static byte[] randomBlock() {
        byte[] block = new byte[CHUNK];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) random.nextInt(256);
        }
        return block;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static double mibPerSecond(long bytes, long nanos) {
        return bytes / (1024.0 * 1024.0) / (Math.max(1, nanos) / 1e9);
    }
}
