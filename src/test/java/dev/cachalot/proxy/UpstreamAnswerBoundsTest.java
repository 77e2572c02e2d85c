package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.oci.Json;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.LoopbackHttpServer;
import dev.cachalot.testing.RegistryReader;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream answers that must not be taken whole: long tag lists (paged through with the client's own {@code n} and
 * {@code last}, and bounded when asked for whole) and bodies that are not manifests (never cached as one). The
 * upstream is a loopback server of the test's own, since a real registry always answers well.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamAnswerBoundsTest {

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** Sorted as strings: tag-000000 … */
    private static final List<String> LONG_LIST = tags(120_000);

    @TempDir
    static Path temp;

    private final LoopbackHttpServer upstream = new LoopbackHttpServer(true);
    private Engine engine;
    private RegistryReader cache;

    @BeforeAll
    void start() {
        upstream.route("/v2/long/list/tags/list", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            int n = LONG_LIST.size();
            String last = null;
            for (String pair : query == null ? new String[0] : query.split("&")) {
                String[] kv = pair.split("=", 2);
                if (kv[0].equals("n")) n = Integer.parseInt(kv[1]);
                if (kv[0].equals("last")) last = URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
            }
            int from = last == null ? 0 : -Arrays.binarySearch(LONG_LIST.toArray(new String[0]), last + "\0") - 1;
            List<String> page = LONG_LIST.subList(from, Math.min(LONG_LIST.size(), from + n));
            if (from + n < LONG_LIST.size()) {
                exchange.getResponseHeaders().set("Link",
                        "</v2/long/list/tags/list?n=" + n + "&last=" + page.get(page.size() - 1) + ">; rel=\"next\"");
            }
            LoopbackHttpServer.send(exchange, 200, "application/json",
                    Json.mapper().writeValueAsBytes(java.util.Map.of("name", "long/list", "tags", page)));
        });
        byte[] noise = new byte[4 << 20];
        Arrays.fill(noise, (byte) 'x');
        upstream.route("/v2/noise/app/manifests/1", exchange -> LoopbackHttpServer.send(exchange, 200, OCI_MANIFEST, noise));
        upstream.route("/v2/html/app/manifests/1", exchange -> LoopbackHttpServer.send(exchange, 200, "text/html",
                "<html><body>Sign in to this network</body></html>"));
        upstream.route("/v2/config/app/manifests/1", exchange -> LoopbackHttpServer.send(exchange, 200, "application/json",
                "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"));
        upstream.route("/v2/mismatch/app/manifests/1", exchange -> LoopbackHttpServer.send(exchange, 200, OCI_MANIFEST,
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}"));
        upstream.route("/v2/good/app/manifests/1", exchange -> LoopbackHttpServer.send(exchange, 200, OCI_MANIFEST,
                "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                        + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" + "a".repeat(64)
                        + "\",\"size\":2},\"layers\":[]}"));
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        String hostPort = "127.0.0.1:" + upstream.port();
        engine.addUpstream(hostPort, upstream.base(), null);
        engine.createRule(new RuleDraft("bounds", hostPort + "/*", "up/*", null, null));
        engine.startServer("127.0.0.1:0");
        cache = new RegistryReader("http://127.0.0.1:" + engine.port());
    }

    @AfterAll
    void stop() {
        if (engine != null) engine.close();
        upstream.close();
    }

    @Test
    void aClientPagingThroughALongListGetsEachPageFromOneUpstreamPageOfTheSameSize() throws IOException {
        RegistryReader.Fetched first = cache.get("/v2/up/long/list/tags/list?n=50");
        String link = first.headers().firstValue("Link").orElseThrow();
        RegistryReader.Fetched second = cache.get(link.substring(1, link.indexOf('>')));

        assertThat(first.status()).isEqualTo(200);
        assertThat(tagsOf(first)).isEqualTo(LONG_LIST.subList(0, 50));
        assertThat(link).contains("n=50").contains("last=tag-000049");
        assertThat(second.status()).isEqualTo(200);
        assertThat(tagsOf(second)).isEqualTo(LONG_LIST.subList(50, 100));
        assertThat(upstream.requestsTo("/v2/long/list/tags/list")).extracting(LoopbackHttpServer.Seen::query)
                .filteredOn(q -> q != null).containsExactly("n=50", "n=50&last=tag-000049");
    }

    @Test
    void aWholeListLongerThanTheBoundIsRefusedWithAClearError() {
        RegistryReader.Fetched whole = cache.get("/v2/up/long/list/tags/list");

        assertThat(whole.status()).isEqualTo(502);
        assertThat(whole.text()).contains("more than 100000 tags").contains("?n=");
    }

    @Test
    void aManifestSizedBodyThatIsNotAManifestIsRefusedAndNotCached() throws IOException {
        assertRefusedAndNotCached("noise", "not a manifest (the body is not JSON)");
    }

    @Test
    void anHtmlPageIsRefusedAndNotCached() throws IOException {
        assertRefusedAndNotCached("html", "not a manifest (the body is not JSON)");
    }

    @Test
    void jsonThatIsNotAManifestIsRefusedAndNotCached() throws IOException {
        assertRefusedAndNotCached("config", "not a manifest (neither Content-Type nor the body names a manifest media type)");
    }

    @Test
    void aContentTypeThatContradictsTheBodyIsRefusedAndNotCached() throws IOException {
        assertRefusedAndNotCached("mismatch", "does not match the body's mediaType");
    }

    @Test
    void aWellFormedManifestIsStillCached() {
        RegistryReader.Fetched answer = cache.manifest("up/good/app", "1", OCI_MANIFEST);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(engine.repositories()).anyMatch(r -> r.name().equals("up/good/app"));
    }

    private void assertRefusedAndNotCached(String repository, String why) throws IOException {
        List<Path> storedBefore = storedFiles();
        RegistryReader.Fetched answer = cache.manifest("up/" + repository + "/app", "1", OCI_MANIFEST);

        assertThat(answer.status()).isEqualTo(502);
        assertThat(answer.text()).contains(why);
        assertThat(engine.repositories()).noneMatch(r -> r.name().equals("up/" + repository + "/app"));
        assertThat(storedFiles()).isEqualTo(storedBefore);
    }

    private List<Path> storedFiles() throws IOException {
        Path blobs = temp.resolve("data").resolve("blobs");
        if (!Files.exists(blobs)) return List.of();
        try (Stream<Path> files = Files.walk(blobs)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static List<String> tagsOf(RegistryReader.Fetched page) throws IOException {
        List<String> tags = new ArrayList<>();
        for (JsonNode t : Json.mapper().readTree(page.body()).path("tags")) tags.add(t.asText());
        return tags;
    }

    private static List<String> tags(int count) {
        List<String> tags = new ArrayList<>(count);
        for (int i = 0; i < count; i++) tags.add(String.format("tag-%06d", i));
        return List.copyOf(tags);
    }
}
