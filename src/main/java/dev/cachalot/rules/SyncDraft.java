package dev.cachalot.rules;

/**
 * A rule's sync policy as a user writes it (CLI options, a rule file, the portal's fields, the management API): text,
 * checked and read by {@link SyncPolicy#with}. A null field leaves that setting as it is (on a new rule: the default).
 *
 * @param mode                 {@code passive} or {@code active}
 * @param tags                 a {@link TagFilter}: {@code 3.*}, {@code 3.19,3.20}, {@code re:REGEX}, {@code semver:RANGE}
 * @param platforms            a {@link PlatformFilter}: {@code linux/amd64,linux/arm64}; empty for every platform
 * @param interval             how often an active rule runs: {@code 30m}, {@code 12h}, {@code 1d} or ISO-8601 {@code PT6H}
 * @param repositories         for a wildcard rule, the repositories to sync, comma-separated, each the part of the name
 *                             that stands for {@code *} ({@code nginx,alpine} for {@code library/*}); empty: the
 *                             repositories already cached under the rule
 * @param referrers            {@code true} or {@code false}: also sync the referrers (signatures, SBOMs) of what is synced
 * @param includeArtifactTypes artifact types to take, comma-separated; empty: every type
 * @param excludeArtifactTypes artifact types to leave out, comma-separated
 */
public record SyncDraft(String mode, String tags, String platforms, String interval, String repositories, String referrers,
                        String includeArtifactTypes, String excludeArtifactTypes) {

    /** Changes nothing. */
    public static final SyncDraft NONE = new SyncDraft(null, null, null, null, null, null, null, null);

    /** Only the mode, the rest as it is. */
    public static SyncDraft mode(String mode) {
        return new SyncDraft(mode, null, null, null, null, null, null, null);
    }
}
