package dev.cachalot.api;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The open event streams of one management API: what a change made through the API is announced to. */
final class EventStreams {
    private final Set<EventStream> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    EventStream open() {
        EventStream stream = new EventStream();
        open.add(stream);
        if (closed) stream.close();
        return stream;
    }

    void finished(EventStream stream) {
        open.remove(stream);
    }

    /**
     * A change made through the API: the engine announces only changes made by other processes (its own callers know of
     * theirs), but every other API client must reload.
     */
    void configChanged() {
        for (EventStream s : open) s.send("config", Map.of());
    }

    void closeAll() {
        closed = true;
        for (EventStream s : open) s.close();
    }

    boolean closed() {
        return closed;
    }
}
