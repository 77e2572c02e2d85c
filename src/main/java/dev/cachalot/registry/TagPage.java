package dev.cachalot.registry;

import java.util.List;

/** One page of {@code GET /v2/<name>/tags/list}. {@code last} is the last tag of this page when more follow, else null. */
public record TagPage(String name, List<String> tags, String last) {
}
