package dev.cachalot.upstream;

import java.util.List;

/**
 * One page of an upstream's tag list.
 *
 * @param tags the page's tags, sorted, all after the {@code last} asked for
 * @param more whether the upstream has tags after this page
 */
public record UpstreamTags(List<String> tags, boolean more) {

    public UpstreamTags {
        tags = List.copyOf(tags);
    }
}
