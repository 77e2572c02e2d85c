package dev.cachalot.bench;

import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Compares two ways of sending a cached file to a loopback client, by hand (never part of the test run): the kernel's
 * sendfile ({@link FileChannel#transferTo}, what the engine does) against a read from the page cache into a 2 MiB
 * direct buffer and a socket write. Prints, per round and way, the rate and the sending thread's CPU per GiB (and,
 * for the second way, the writes' share of it). The receiver is a thread of the same JVM reading into a direct buffer.
 * docs/decisions/0040-the-cold-line-floor.md has the numbers it gave.
 *
 * <pre>
 * java -cp target/classes:target/test-classes dev.cachalot.bench.LoopbackSendProbe [MiB] [rounds] [pre-touch MiB]
 * </pre>
 * The file is {@code java.io.tmpdir/cachalot-sendprobe-<MiB>}, written once and kept for the next invocation. Memory is
 * pre-touched before anything is written or measured ({@link MemoryPreTouch}; default most of the free memory, 0 for
 * none).
 */
public final class LoopbackSendProbe {

    private static final int CHUNK = 2 << 20;

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        long preTouchMib = args.length > 2 ? Long.parseLong(args[2]) : -1;
        long size = (long) mib << 20;
        MemoryPreTouch.beforeProbe(preTouchMib);
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "cachalot-sendprobe-" + mib);
        seed(file, size);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            for (int round = 1; round <= rounds; round++) {
                for (boolean sendfile : new boolean[] {true, false}) {
                    Thread receiver = receive(port, size);
                    try (SocketChannel socket = server.accept(); FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                        long cpuBefore = threads.getCurrentThreadCpuTime();
                        long start = System.nanoTime();
                        long writesCpu = sendfile ? sendWithSendfile(in, socket, size) : sendWithWrites(in, socket, size, threads);
                        long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
                        socket.shutdownOutput();
                        receiver.join();
                        double seconds = (System.nanoTime() - start) / 1e9;
                        double gib = size / (double) (1L << 30);
                        System.out.printf(Locale.ROOT, "round %d, %-8s %5.0f MiB/s, sender CPU %.3f s per GiB%s%n", round,
                                sendfile ? "sendfile" : "write", mib / seconds, cpu / 1e9 / gib,
                                sendfile ? "" : String.format(Locale.ROOT, " (the writes alone %.3f)", writesCpu / 1e9 / gib));
                    }
                }
            }
        }
    }

    private static long sendWithSendfile(FileChannel in, SocketChannel socket, long size) throws IOException {
        for (long position = 0; position < size; ) {
            long end = Math.min(size, position + CHUNK);
            while (position < end) position += in.transferTo(position, end - position, socket);
        }
        return 0;
    }

    /** Returns the CPU the socket writes took, without the reads from the page cache. */
    private static long sendWithWrites(FileChannel in, SocketChannel socket, long size, ThreadMXBean threads)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        long writesCpu = 0;
        for (long position = 0; position < size; ) {
            buffer.clear();
            while (buffer.hasRemaining() && position + buffer.position() < size) {
                if (in.read(buffer, position + buffer.position()) < 0) throw new IOException("file ended early");
            }
            buffer.flip();
            position += buffer.remaining();
            long before = threads.getCurrentThreadCpuTime();
            while (buffer.hasRemaining()) socket.write(buffer);
            writesCpu += threads.getCurrentThreadCpuTime() - before;
        }
        return writesCpu;
    }

    private static Thread receive(int port, long size) {
        Thread receiver = new Thread(() -> {
            try (SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
                long received = 0;
                while (received < size) {
                    buffer.clear();
                    int n = socket.read(buffer);
                    if (n < 0) throw new IOException("the sender stopped after " + received + " bytes");
                    received += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "receiver");
        receiver.start();
        return receiver;
    }

    private static void seed(Path file, long size) throws IOException {
        if (Files.exists(file) && Files.size(file) == size) return;
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        SplittableRandom random = new SplittableRandom(7);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long position = 0; position < size; position += CHUNK) {
                chunk.clear().limit((int) Math.min(CHUNK, size - position));
                while (chunk.remaining() >= Long.BYTES) chunk.putLong(random.nextLong());
                chunk.flip();
                while (chunk.hasRemaining()) out.write(chunk, position + chunk.position());
            }
        }
    }

    private LoopbackSendProbe() {
    }
}
