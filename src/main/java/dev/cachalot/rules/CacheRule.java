package dev.cachalot.rules;

import java.time.Instant;

/**
 * A cache rule as in ACR's artifact cache: pulls of {@code targetRepository} (a local namespace) come through
 * from {@code sourceRepository} ({@code <login server>/<path>}). Both are static names or both end in {@code /*}
 * (a bare {@code *} target stands for every name).
 *
 * @param credentialSet name of the credential set used upstream, or null for anonymous pulls
 * @param sync          whether and how the rule syncs on its own ({@link SyncPolicy#PASSIVE}: only what clients pull)
 */
public record CacheRule(
        String name,
        String sourceRepository,
        String targetRepository,
        String credentialSet,
        FreshnessPolicy freshness,
        Instant creationDate,
        ProvisioningState provisioningState,
        SyncPolicy sync) {

    public CacheRule {
        if (sync == null) sync = SyncPolicy.PASSIVE;
    }

    /** A passive rule (no sync of its own). */
    public CacheRule(String name, String sourceRepository, String targetRepository, String credentialSet, FreshnessPolicy freshness,
                     Instant creationDate, ProvisioningState provisioningState) {
        this(name, sourceRepository, targetRepository, credentialSet, freshness, creationDate, provisioningState, SyncPolicy.PASSIVE);
    }

    public boolean isWildcard() {
        return targetRepository.equals("*") || targetRepository.endsWith("/*");
    }

    public CacheRule withCredentialSet(String credentialSet) {
        return new CacheRule(name, sourceRepository, targetRepository, credentialSet, freshness, creationDate, provisioningState, sync);
    }

    public CacheRule withFreshness(FreshnessPolicy freshness) {
        return new CacheRule(name, sourceRepository, targetRepository, credentialSet, freshness, creationDate, provisioningState, sync);
    }

    public CacheRule withSync(SyncPolicy sync) {
        return new CacheRule(name, sourceRepository, targetRepository, credentialSet, freshness, creationDate, provisioningState, sync);
    }

    public enum ProvisioningState { Succeeded, Failed, Updating }
}
