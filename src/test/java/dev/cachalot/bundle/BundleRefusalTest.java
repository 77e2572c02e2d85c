package dev.cachalot.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RepositoryView;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.Sha256;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Damaged and hostile bundles, each built by the test: every one is refused with one clear error, and the data
 * folder is as it was (every file outside the database, by content; the repositories and tags, through the engine).
 * The engine holds an imported image already, so "as it was" is not merely "empty".
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BundleRefusalTest {

    private static final String REF = "local/app:v1";
    private static final TestImages IMAGES = new TestImages(23);
    private static final TestImage IMAGE = IMAGES.ociImage();
    private static final TestImage OTHER = IMAGES.ociImage();
    /** Imported by one test; the hostile archives use OTHER, whose blobs must stay new to the cache so they are staged. */
    private static final TestImage THIRD = IMAGES.ociImage();

    @TempDir
    static Path temp;

    private Engine engine;

    @BeforeAll
    void openWithOneImportedImage() throws IOException {
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        BundleImportReport first = engine.importBundle(write("good.tar", BundleArchive.of(IMAGE, REF).bytes()));
        assertThat(first.repositories()).singleElement().satisfies(d -> assertThat(d.ruleName()).isNull());
        assertThat(engine.tags("local/app")).extracting(t -> t.digest()).containsExactly(IMAGE.digest());
    }

    @AfterAll
    void close() {
        if (engine != null) engine.close();
    }

    static Stream<Arguments> hostileArchives() {
        TestBlob layer = OTHER.layers().get(0);
        return Stream.of(
                hostile("a name climbing out with ..", () -> BundleArchive.of(OTHER, REF).file("../evil", new byte[] {1}).bytes(),
                        "entry '../evil' climbs out of the archive with '..'"),
                hostile("a name climbing out mid-path", () -> BundleArchive.of(OTHER, REF).file("blobs/../../evil", new byte[] {1}).bytes(),
                        "climbs out of the archive"),
                hostile("an absolute name", () -> BundleArchive.of(OTHER, REF).file("/etc/evil", new byte[] {1}).bytes(),
                        "entry '/etc/evil' is an absolute path"),
                hostile("a symbolic link", () -> BundleArchive.of(OTHER, REF).link("blobs/sha256/link", TarConstants.LF_SYMLINK, "/etc/passwd")
                        .bytes(), "entry 'blobs/sha256/link' is a symbolic link (to '/etc/passwd')"),
                hostile("a hard link", () -> BundleArchive.of(OTHER, REF).link("blobs/sha256/hard", TarConstants.LF_LINK, "/etc/shadow").bytes(),
                        "entry 'blobs/sha256/hard' is a hard link"),
                hostile("a device", () -> BundleArchive.of(OTHER, REF).device("dev-null").bytes(), "entry 'dev-null' is a device or a pipe"),
                hostile("a blob whose bytes do not match its name", () -> new BundleArchive().layout().index(REF, OTHER)
                        .blob(OTHER.digest(), OTHER.manifest()).blob(OTHER.config().digest(), OTHER.config().bytes())
                        .blob(layer.digest(), flipped(layer.bytes())).blob(OTHER.layers().get(1).digest(), OTHER.layers().get(1).bytes()).bytes(),
                        "digest mismatch: entry 'blobs/sha256/" + layer.hex() + "' hashes to sha256:"),
                hostile("a tar cut inside a blob", () -> truncatedInside(BundleArchive.of(OTHER, REF).bytes(), layer.bytes()),
                        "the archive is truncated"),
                hostile("a blob declaring 100 GiB", () -> concat(BundleArchive.of(OTHER, REF).bytes(), 1024,
                        BundleArchive.headerOnly("blobs/sha256/" + layer.hex().replace('0', '1'), 100L << 30)),
                        "declares 107374182400 bytes, more than the 68719476736 a blob may have"),
                hostile("a blob larger than its manifest says", BundleRefusalTest::blobLargerThanDeclared,
                        "is " + layer.size() + " bytes in the archive, but is declared as " + (layer.size() - 1)),
                hostile("the same entry twice", () -> BundleArchive.of(OTHER, REF).blob(layer.digest(), layer.bytes()).bytes(),
                        "entry 'blobs/sha256/" + layer.hex() + "' appears twice in the archive"),
                hostile("a blob the manifest references but the archive lacks", () -> new BundleArchive().layout().index(REF, OTHER)
                        .blob(OTHER.digest(), OTHER.manifest()).blob(OTHER.config().digest(), OTHER.config().bytes())
                        .blob(OTHER.layers().get(1).digest(), OTHER.layers().get(1).bytes()).bytes(),
                        "local/app:v1: blob " + layer.digest() + " is referenced but not in the archive"),
                hostile("a ref name that names no repository", () -> BundleArchive.of(OTHER, "latest").bytes(),
                        "index.json names 'latest', which is not REPOSITORY:TAG"),
                hostile("no oci-layout file", () -> new BundleArchive().index(REF, OTHER).blobsOf(OTHER).bytes(), "it has no oci-layout file"),
                hostile("bytes that are not a tar", () -> IMAGES.smallLayer().bytes(), "the archive cannot be read as a tar"));
    }

    private static Arguments hostile(String what, Supplier<byte[]> archive, String message) {
        return Arguments.of(what, archive, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileArchives")
    void isRefusedWithOneClearErrorAndLeavesTheDataFolderAsItWas(String what, Supplier<byte[]> archive, String message) throws IOException {
        Path file = write(what.replaceAll("[^a-z0-9]+", "-") + ".tar", archive.get());
        Map<String, String> filesBefore = dataFiles();
        List<RepositoryView> repositoriesBefore = engine.repositories();

        assertThatThrownBy(() -> engine.importBundle(file)).isInstanceOf(BundleException.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

        assertThat(dataFiles()).isEqualTo(filesBefore);
        assertThat(engine.repositories()).isEqualTo(repositoriesBefore);
        assertThat(engine.tags("local/app")).extracting(t -> t.digest()).containsExactly(IMAGE.digest());
    }

    @Test
    void anArchiveDeclaringMoreThanTheDiskHoldsIsRefusedBeforeAnythingIsWritten() throws IOException {
        long usable = Files.getFileStore(temp).getUsableSpace();
        long declared = usable + (1L << 30);
        Path file = write("disk-bomb.tar", concat(BundleArchive.of(OTHER, REF).bytes(), 1024,
                BundleArchive.headerOnly("blobs/sha256/" + OTHER.layers().get(0).hex().replace('0', '2'), declared)));
        Map<String, String> before = dataFiles();

        // whichever limit is lower speaks: the free disk, or the largest blob the engine accepts
        assertThatThrownBy(() -> engine.importBundle(file)).isInstanceOf(BundleException.class)
                .hasMessageMatching(".*declares " + declared + " bytes, (not enough disk space.*|more than the .* a blob may have)");
        assertThat(dataFiles()).isEqualTo(before);
    }

    @Test
    void aValidBundleIntoTheSameRepositoryMovesNothingItDoesNotName() throws IOException {
        BundleImportReport report = engine.importBundle(write("third.tar", BundleArchive.of(THIRD, "local/app:v2").bytes()));
        assertThat(report.tags()).isEqualTo(1);
        assertThat(report.blobs()).isEqualTo(1 + THIRD.blobs().size());
        assertThat(engine.tags("local/app")).extracting(t -> t.tag() + "=" + t.digest())
                .containsExactly("v1=" + IMAGE.digest(), "v2=" + THIRD.digest());
        engine.deleteTag("local/app", "v2");
    }

    private static byte[] blobLargerThanDeclared() {
        TestBlob layer = OTHER.layers().get(0);
        TestBlob second = OTHER.layers().get(1);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\""
                + OTHER.config().mediaType() + "\",\"digest\":\"" + OTHER.config().digest() + "\",\"size\":" + OTHER.config().size()
                + "},\"layers\":[{\"mediaType\":\"" + layer.mediaType() + "\",\"digest\":\"" + layer.digest() + "\",\"size\":" + (layer.size() - 1)
                + "},{\"mediaType\":\"" + second.mediaType() + "\",\"digest\":\"" + second.digest() + "\",\"size\":" + second.size() + "}]}";
        byte[] body = manifest.getBytes(StandardCharsets.UTF_8);
        TestImage crafted = new TestImage(OTHER.mediaType(), body, Sha256.of(body), OTHER.config(), OTHER.layers(), List.of(), null, null, null);
        return BundleArchive.of(crafted, REF).bytes();
    }

    private static byte[] flipped(byte[] content) {
        byte[] copy = content.clone();
        copy[copy.length / 2] ^= 0x01;
        return copy;
    }

    /** The archive cut in the middle of {@code content}'s bytes. */
    private static byte[] truncatedInside(byte[] tar, byte[] content) {
        int at = indexOf(tar, content);
        assertThat(at).isPositive();
        return Arrays.copyOf(tar, at + content.length / 2);
    }

    /** {@code first} without its last {@code dropTail} bytes (the end-of-archive blocks), then {@code second}. */
    private static byte[] concat(byte[] first, int dropTail, byte[] second) {
        int keep = first.length;
        // drop the zero blocks that end the archive, so the extra header is read as the next entry
        while (keep >= 512 && isZero(first, keep - 512)) keep -= 512;
        byte[] out = Arrays.copyOf(first, keep + second.length);
        System.arraycopy(second, 0, out, keep, second.length);
        return out;
    }

    private static boolean isZero(byte[] b, int from) {
        for (int i = from; i < from + 512; i++) if (b[i] != 0) return false;
        return true;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    private static Path write(String name, byte[] content) throws IOException {
        Path file = temp.resolve("archives").resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        return file;
    }

    /** Every file of the data folder but the database's (H2 may rewrite its file on any query), with its SHA-256. */
    private Map<String, String> dataFiles() throws IOException {
        Path root = engine.dataFolderRoot();
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String relative = root.relativize(p).toString();
                if (relative.startsWith("db") || relative.startsWith("logs")) continue;
                files.put(relative, Files.isRegularFile(p) ? Sha256.of(p) : "dir");
            }
        }
        return files;
    }
}
