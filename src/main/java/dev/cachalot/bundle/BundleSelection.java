package dev.cachalot.bundle;

import dev.cachalot.rules.PlatformFilter;
import dev.cachalot.rules.TagFilter;

/**
 * What a bundle export takes: the repositories cached through one rule, or one repository (cached or local); of
 * those, the tags the filter selects; of their indexes, the platforms chosen.
 */
public record BundleSelection(String ruleName, String repository, TagFilter tags, PlatformFilter platforms) {

    public BundleSelection {
        if ((ruleName == null) == (repository == null)) {
            throw new IllegalArgumentException("name either a rule or a repository to export");
        }
        tags = tags == null ? TagFilter.ALL : tags;
        platforms = platforms == null ? PlatformFilter.ALL : platforms;
    }

    public static BundleSelection ofRule(String ruleName, TagFilter tags, PlatformFilter platforms) {
        return new BundleSelection(ruleName, null, tags, platforms);
    }

    public static BundleSelection ofRepository(String repository, TagFilter tags, PlatformFilter platforms) {
        return new BundleSelection(null, repository, tags, platforms);
    }
}
