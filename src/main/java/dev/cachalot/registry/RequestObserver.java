package dev.cachalot.registry;

/**
 * Told of every answered request once its response is complete (metrics). Called on Jetty's threads; must be quick
 * and must not throw.
 */
@FunctionalInterface
public interface RequestObserver {
    RequestObserver NONE = (method, route, status, nanos) -> {
    };

    void completed(String method, Route route, int status, long nanos);
}
