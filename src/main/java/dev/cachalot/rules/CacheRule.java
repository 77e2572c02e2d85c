package dev.cachalot.rules;

import java.time.Instant;

/**
 * A cache rule as in ACR's artifact cache: pulls of {@code targetRepository} (a local namespace) come through
 * from {@code sourceRepository} ({@code <login server>/<path>}). Both are static names or both end in {@code /*}
 * (a bare {@code *} target stands for every name).
 *
 * @param credentialSet name of the credential set used upstream, or null for anonymous pulls
 */
public record CacheRule(
        String name,
        String sourceRepository,
        String targetRepository,
        String credentialSet,
        FreshnessPolicy freshness,
        Instant creationDate,
        ProvisioningState provisioningState) {

    public boolean isWildcard() {
        return targetRepository.equals("*") || targetRepository.endsWith("/*");
    }

    public CacheRule withCredentialSet(String credentialSet) {
        return new CacheRule(name, sourceRepository, targetRepository, credentialSet, freshness, creationDate, provisioningState);
    }

    public CacheRule withFreshness(FreshnessPolicy freshness) {
        return new CacheRule(name, sourceRepository, targetRepository, credentialSet, freshness, creationDate, provisioningState);
    }

    public enum ProvisioningState { Succeeded, Failed, Updating }
}
