package dev.cachalot.storage;

/**
 * Everything known about cached and local repositories apart from the bytes: the sum of the narrow interfaces, one
 * per kind of consumer. An implementation (H2 today: {@link JdbcMetadataStore}) passes {@code MetadataStoreContract};
 * consumers take only the narrow interface they use.
 */
public interface MetadataStore extends RepositoryContents, RepositoryCatalog, CacheEviction, BlobReferences, PullCounters,
        ContentLoads {
}
