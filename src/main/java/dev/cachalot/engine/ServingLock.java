package dev.cachalot.engine;

import dev.cachalot.storage.DataFolder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Only one engine serves a data folder at a time: it owns the temp files of downloads in flight, which a second
 * server would sweep away. CLI commands don't take this lock, they share the folder freely; but for the time it deletes
 * blobs, garbage collection by a process that does not serve the folder holds it (a serving engine alone keeps the
 * reads of its clients in memory, where another process's collector cannot see them).
 */
final class ServingLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private ServingLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static ServingLock acquire(DataFolder folder) throws IOException {
        return acquire(folder, null);
    }

    /**
     * @param purpose why a process that does not serve holds the lock (it shows in the refusal another start gets), or
     *                null for a serving engine
     */
    static ServingLock acquire(DataFolder folder, String purpose) throws IOException {
        Path file = folder.root().resolve("engine.lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String owner = Files.readString(file, StandardCharsets.UTF_8).strip();
            channel.close();
            throw new IOException("another Cachalot engine" + (owner.isEmpty() ? "" : " (" + owner + ")")
                    + " is already serving the data folder " + folder.root());
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + (purpose == null ? "" : ", " + purpose)).getBytes(StandardCharsets.UTF_8)), 0);
        return new ServingLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.truncate(0);
            channel.close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }
}
