-- Blobs some engine is serving right now, one row per engine and blob, kept alive by that engine while it serves and
-- deleted when it is done; a row whose engine died expires. Garbage collection on any engine spares the blobs listed
-- here (storage.BlobReads; docs/decisions/0022-cluster-gc.md).
CREATE TABLE blob_reads (
    node VARCHAR(64) NOT NULL,
    digest VARCHAR(200) NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (node, digest)
);
CREATE INDEX blob_reads_digest ON blob_reads (digest);
