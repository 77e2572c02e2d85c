package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import java.util.List;

/** What garbage collection asks the metadata: which stored digests nothing refers to any more. */
public interface BlobReferences {

    /**
     * Those of {@code candidates} that no repository links as a blob or holds as a manifest, in the order given.
     * Safe from any thread; answers as of one moment, so a link recorded just after may make an answer stale (the
     * collector's grace period covers that). Any number of candidates.
     */
    List<Digest> unreferencedBlobs(List<Digest> candidates);
}
