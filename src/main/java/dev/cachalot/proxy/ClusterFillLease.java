package dev.cachalot.proxy;

import dev.cachalot.oci.Digest;
import java.util.Optional;

/**
 * Cross-node single flight for blob fills: engines that share one blob store and one metadata database download a
 * missing blob from the upstream once between them. In-process single flight ({@link BlobFills}) picks one fill per
 * engine; this lease picks one engine per digest. An engine alone never competes, so its lease is always granted.
 */
public interface ClusterFillLease {

    /** The lease of one digest, held by this engine until closed. */
    interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    /** An engine alone: every lease is granted at once, and giving it back does nothing. */
    ClusterFillLease SINGLE_NODE = digest -> Optional.of(() -> {
    });

    /**
     * The lease of {@code digest} when no other engine holds it now, else empty; never waits. May throw when the
     * engines' shared database cannot be reached.
     */
    Optional<Lease> tryAcquire(Digest digest);
}
