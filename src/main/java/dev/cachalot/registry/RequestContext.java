package dev.cachalot.registry;

/**
 * Facts about one registry request that the backend needs besides the path.
 *
 * @param namespace     the {@code ns} query parameter containerd sends to a mirror (e.g. {@code docker.io}), or null
 * @param clientAddress the client's IP address, for pull events
 * @param head          true for HEAD requests (no body will be sent; not counted as a pull)
 * @param accept        media types from the client's {@code Accept} headers, in order, split on commas, without
 *                      parameters; empty when the client sent none
 */
public record RequestContext(String namespace, String clientAddress, boolean head, java.util.List<String> accept) {
    public RequestContext {
        accept = accept == null ? java.util.List.of() : java.util.List.copyOf(accept);
    }
}
