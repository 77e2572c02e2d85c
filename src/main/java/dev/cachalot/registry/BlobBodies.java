package dev.cachalot.registry;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes blob bytes to a response with blocking writes (the handler runs on a pool thread sized for this).
 * Each method returns the number of bytes handed to the client and throws on the first failure; the caller
 * decides whether that aborts the response. None of them completes the response: the caller does.
 */
final class BlobBodies {

    private static final Logger LOG = LoggerFactory.getLogger(BlobBodies.class);

    /**
     * Size of the file window mapped at a time. Mapped pages the kernel touched count in the process's RSS until
     * unmapped, so the window bounds memory per warm stream (32 streams × 1 MiB = 32 MiB worst case). Measured with
     * 32 concurrent 1 GiB streams: peak RSS 185 MB with 1 MiB windows against 352 MB with 8 MiB, same CPU per byte.
     */
    static final int MAP_WINDOW = Integer.getInteger("cachalot.blob.mapWindow", 1 << 20);

    /** Buffer for cold streams; one per stream, from Jetty's pool, so it is reused across requests. */
    static final int STREAM_BUFFER = 512 << 10;

    /** How warm blob files are written. */
    enum FileMode {
        /** The kernel's sendfile to the socket (plain HTTP/1.x only; otherwise {@link #MAP}). */
        SENDFILE,
        /** Mapped windows handed to Jetty. */
        MAP,
        /** Positional reads into a pooled buffer. */
        READ;

        static final String PROPERTY = "cachalot.blob.fileMode";
        /**
         * Map, not sendfile, although sendfile halves the server's CPU per byte and lowers peak RSS (32 warm
         * 1 GiB streams: 0.16 against 0.39 CPU s/GiB, VmHWM 100 MB against 139 MB). Over loopback, where the
         * benchmark and most local clients run, it is slower: 1 GiB single stream median about 1150 MiB/s against
         * 1600 MiB/s, 32 streams 1230-1350 against 1550-1575 MiB/s aggregate (2 vCPUs, alternating runs). With
         * sendfile the receiving side does the only copy, straight from page-cache pages, on one core; with
         * mapped writes the server's copy into the socket buffer runs on the other core, in parallel, and the
         * receiver copies from freshly written, cache-warm buffers.
         */
        static final FileMode DEFAULT = MAP;

        /** The mode from {@value #PROPERTY}, read per request so it can be compared without a rebuild. */
        static FileMode configured() {
            String value = System.getProperty(PROPERTY);
            if (value == null) {
                return DEFAULT;
            }
            return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "sendfile" -> SENDFILE;
                case "read" -> READ;
                default -> MAP;
            };
        }
    }

    /**
     * How a blob that is still being fetched is sent over plain HTTP/1.x. Sendfile, unlike for warm files
     * ({@link FileMode#DEFAULT}): a cold stream goes no faster than its download (a few hundred MiB/s), far below what
     * either mode can send, so only the CPU differs, and sendfile leaves the server nothing to copy.
     */
    enum ColdMode {
        SENDFILE,
        MAP;

        static final String PROPERTY = "cachalot.blob.coldMode";

        static ColdMode configured() {
            return "map".equalsIgnoreCase(System.getProperty(PROPERTY, "").trim()) ? MAP : SENDFILE;
        }
    }

    private static final MethodHandle UNMAP = unmapHandle();

    private BlobBodies() {
    }

    /** Sends {@code length} bytes of {@code file} from {@code offset}, in the {@link FileMode#configured()} mode. */
    static long sendFile(Path file, long offset, long length, Request request, Response response, Progress progress)
            throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileMode mode = FileMode.configured();
            if (mode == FileMode.SENDFILE) {
                SocketChannelEndPoint endPoint = SocketFileTransfer.endPointFor(request);
                if (endPoint != null) {
                    return SocketFileTransfer.send(channel, offset, length, response, endPoint, progress);
                }
                mode = FileMode.MAP;
            }
            if (mode == FileMode.READ || UNMAP == null) {
                return sendByReading(channel, offset, length, response, request.getComponents().getByteBufferPool(),
                        progress);
            }
            return sendMapped(channel, offset, length, response, progress);
        }
    }

    /**
     * Maps the file window by window and hands each mapping to Jetty, which writes it to the socket straight
     * from the page cache: no copy through the Java heap or a user-space buffer. Each window is unmapped as soon
     * as its write completed (the blocking callback guarantees Jetty no longer holds it), so neither address
     * space nor RSS grows with the blob size while waiting for a GC to clean up mappings.
     */
    private static long sendMapped(FileChannel channel, long offset, long length, Response response, Progress progress)
            throws IOException {
        long sent = 0;
        while (sent < length) {
            int window = (int) Math.min(MAP_WINDOW, length - sent);
            writeAndUnmap(response, channel.map(FileChannel.MapMode.READ_ONLY, offset + sent, window));
            sent += window;
            progress.sent(sent);
        }
        return sent;
    }

    /** The fallback: positional reads into one pooled direct buffer, written after each read. */
    private static long sendByReading(FileChannel channel, long offset, long length, Response response,
                                      ByteBufferPool pool, Progress progress) throws IOException {
        RetainableByteBuffer pooled = pool.acquire(STREAM_BUFFER * 2, true);
        try {
            ByteBuffer buffer = pooled.getByteBuffer();
            long sent = 0;
            while (sent < length) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), length - sent));
                int n = channel.read(buffer, offset + sent);
                if (n < 0) {
                    throw new IOException("blob file ended early");
                }
                buffer.flip();
                write(response, buffer);
                sent += n;
                progress.sent(sent);
            }
            return sent;
        } finally {
            pooled.release();
        }
    }

    /** Observes the progress of a streamed body, so a failure can still report what was sent. */
    interface Progress {
        void sent(long bytes);
    }

    /**
     * Copies a blob that is still being fetched. Whatever {@code read} throws (digest mismatch, upstream failure)
     * propagates, and the caller aborts the response so the client never sees a body that looks complete.
     */
    static long sendStream(BlobResult.BlobStream stream, boolean sizeKnown, Request request, Response response,
                           Progress progress) throws IOException {
        if (stream instanceof BlobResult.MappableBlobStream mappable && FileMode.configured() != FileMode.READ) {
            SocketChannelEndPoint endPoint = sizeKnown && ColdMode.configured() == ColdMode.SENDFILE
                    ? SocketFileTransfer.endPointFor(request) : null;
            if (endPoint != null) {
                return SocketFileTransfer.sendStream(mappable, response, endPoint, progress);
            }
            if (UNMAP != null) {
                return sendStreamMapped(mappable, response, progress);
            }
        }
        ByteBufferPool pool = request.getComponents().getByteBufferPool();
        RetainableByteBuffer pooled = pool.acquire(STREAM_BUFFER, true);
        try {
            ByteBuffer buffer = pooled.getByteBuffer();
            long sent = 0;
            while (true) {
                buffer.clear();
                int n = stream.read(buffer);
                if (n < 0) {
                    return sent;
                }
                if (n == 0) {
                    continue;
                }
                buffer.flip();
                write(response, buffer);
                sent += n;
                progress.sent(sent);
            }
        } finally {
            pooled.release();
        }
    }

    /**
     * Cold streams as mapped windows of the temp file being filled: one copy (page cache to socket) instead of two
     * (page cache to buffer, buffer to socket). Windows are as large as what was released since the last one, up
     * to {@link #MAP_WINDOW}, and unmapped once written, as for warm files.
     */
    private static long sendStreamMapped(BlobResult.MappableBlobStream stream, Response response, Progress progress)
            throws IOException {
        long sent = 0;
        while (true) {
            MappedByteBuffer window = stream.map(MAP_WINDOW);
            if (window == null) {
                return sent;
            }
            int n = window.remaining();
            writeAndUnmap(response, window);
            sent += n;
            progress.sent(sent);
        }
    }

    /** The blocking write guarantees Jetty no longer holds the window when it is unmapped. */
    private static void writeAndUnmap(Response response, MappedByteBuffer window) throws IOException {
        try {
            write(response, window);
        } finally {
            unmap(window);
        }
    }

    private static void write(Response response, ByteBuffer buffer) throws IOException {
        try (Blocker.Callback written = Blocker.callback()) {
            response.write(false, buffer, written);
            written.block();
        }
    }

    private static void unmap(MappedByteBuffer buffer) {
        try {
            UNMAP.invokeExact((ByteBuffer) buffer);
        } catch (Throwable t) {
            LOG.debug("could not unmap a blob window; the GC will", t);
        }
    }

    /**
     * {@code sun.misc.Unsafe.invokeCleaner}: the supported-in-practice way to release a mapping now rather than
     * at some later GC (jdk.unsupported is readable from the class path without flags). Null if unavailable,
     * in which case warm blobs are sent by reading instead of mapping.
     */
    private static MethodHandle unmapHandle() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            Object unsafe = field.get(null);
            MethodHandle handle = MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class));
            return handle.bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("cannot unmap files explicitly ({}); warm blobs will be sent by reading", e.toString());
            return null;
        }
    }
}
