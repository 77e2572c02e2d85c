package dev.cachalot.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.oci.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.Response;

/**
 * Walks an upstream's tag list through its {@code Link: <...>; rel="next"} pages, bounded in pages, page size and
 * entries in total, and only on the upstream's own origin (a next link elsewhere would take our token with it); or
 * reads one page of it.
 */
final class TagPages {

    private static final Pattern NEXT = Pattern.compile("<([^>]*)>\\s*;[^,]*?rel=\"?next\"?", Pattern.CASE_INSENSITIVE);

    private final UpstreamCall call;
    private final String what;
    private final int maxPages;
    private final long maxPageBytes;
    private final int maxTags;

    TagPages(UpstreamCall call, String what, int maxPages, long maxPageBytes, int maxTags) {
        this.call = call;
        this.what = what;
        this.maxPages = maxPages;
        this.maxPageBytes = maxPageBytes;
        this.maxTags = maxTags;
    }

    /**
     * One page: the tags after {@code last} (an upstream that ignores {@code n} and {@code last} is cut to them),
     * and whether more follow, by the upstream's {@code Link} or by its having sent more than {@code n}.
     */
    UpstreamTags page(HttpUrl url, int n, String last, Function<HttpUrl, Response> fetch,
                      Function<IOException, UpstreamException> onError) {
        List<String> tags = new ArrayList<>();
        boolean linked;
        try (Response response = fetch.apply(url)) {
            byte[] body = ManifestBodies.readBounded(response, maxPageBytes, call.name() + ": " + what);
            addTags(body, tags);
            linked = next(response.request().url(), response.header("Link")) != null;
        } catch (IOException e) {
            throw onError.apply(e);
        }
        java.util.TreeSet<String> sorted = new java.util.TreeSet<>(tags);
        List<String> after = List.copyOf(last == null ? sorted : sorted.tailSet(last, false));
        if (after.size() > n) return new UpstreamTags(after.subList(0, n), true);
        return new UpstreamTags(after, linked);
    }

    List<String> collect(HttpUrl first, Function<HttpUrl, Response> fetch, Function<IOException, UpstreamException> onError) {
        List<String> tags = new ArrayList<>();
        Set<HttpUrl> seen = new HashSet<>();
        HttpUrl url = first;
        try {
            for (int page = 0; url != null; page++) {
                if (page >= maxPages || !seen.add(url)) {
                    throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 200,
                            call.name() + ": " + what + ": more than " + maxPages + " pages, or a page loop");
                }
                try (Response response = fetch.apply(url)) {
                    byte[] body = ManifestBodies.readBounded(response, maxPageBytes, call.name() + ": " + what);
                    addTags(body, tags);
                    url = next(response.request().url(), response.header("Link"));
                }
            }
        } catch (IOException e) {
            throw onError.apply(e);
        }
        return tags;
    }

    private void addTags(byte[] body, List<String> tags) throws UpstreamFailure {
        JsonNode json;
        try {
            json = Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 200, call.name() + ": " + what + ": not JSON");
        }
        JsonNode list = json == null ? null : json.get("tags");
        if (list == null || list.isNull()) return; // a repository without tags
        if (!list.isArray()) {
            throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 200, call.name() + ": " + what + ": tags is not a list");
        }
        for (JsonNode t : list) {
            if (!t.isTextual()) continue;
            if (tags.size() >= maxTags) {
                throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 200, call.name() + ": " + what
                        + ": more than " + maxTags + " tags, more than this cache lists at once (ask for pages with ?n=)");
            }
            tags.add(t.asText());
        }
    }

    private HttpUrl next(HttpUrl current, String link) throws UpstreamFailure {
        if (link == null) return null;
        Matcher m = NEXT.matcher(link);
        if (!m.find()) return null;
        HttpUrl next = current.resolve(m.group(1));
        if (next == null || !call.isEndpoint(next)) {
            throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 200,
                    call.name() + ": " + what + ": next page link leaves the upstream");
        }
        return next;
    }
}
