package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.bundle.BundleArchive;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cachalot bundle export|import} exactly as issue 19's command-line contract writes them. */
class BundleCommandTest {

    private static final TestImages IMAGES = new TestImages(31);
    private static final TestImage V1 = IMAGES.ociImage();
    private static final TestImage V2 = IMAGES.ociImage();

    @TempDir
    Path temp;

    private Cli a;
    private Cli b;
    private Path original;

    @BeforeEach
    void oneDataFolderWithTwoVersions() throws IOException {
        a = new Cli(temp.resolve("a"));
        b = new Cli(temp.resolve("b"));
        original = temp.resolve("original.tar");
        Files.write(original, new BundleArchive().layout().index(Map.of("local/app:1.0", V1, "local/app:2.0", V2))
                .blobsOf(V1).blobsOf(V2).bytes());
    }

    @Test
    void importsExportsWithATagFilterAndImportsElsewhere() {
        Cli.Run imported = a.run("bundle", "import", original.toString()).succeeded();
        assertThat(imported.out()).contains("2 image(s), 2 tag(s)").contains("local/app (local repository)");

        Path bundle = temp.resolve("one.tar");
        Cli.Run exported = a.run("bundle", "export", "--repository", "local/app", "--tags", "semver:>=1 <2", bundle.toString()).succeeded();
        assertThat(exported.out()).contains("1 tag(s)").contains("local/app:1.0").doesNotContain("local/app:2.0");

        Cli.Run json = b.run("bundle", "import", "--json", bundle.toString()).succeeded();
        assertThat(json.json().path("tags").asInt()).isEqualTo(1);
        assertThat(json.json().path("blobs").asInt()).isEqualTo(1 + V1.blobs().size());
        assertThat(b.run("repos", "show", "local/app").succeeded().out()).contains(V1.digest()).doesNotContain(V2.digest());
    }

    @Test
    void exitsThreeAndNamesWhatWasLeftOutWhenATagIsNotFullyCached() throws IOException {
        TestImage index = IMAGES.ociIndex();
        Path amd64Only = temp.resolve("amd64-only.tar");
        // as a bundle exported with --platforms linux/amd64 is: the index whole, one platform image
        Files.write(amd64Only, new BundleArchive().layout().index(Map.of("local/app:1.0", V1, "local/app:2.0", index))
                .blobsOf(V1).blob(index.digest(), index.manifest()).blobsOf(index.platformImage("amd64")).bytes());
        a.run("bundle", "import", amd64Only.toString()).succeeded();

        Path bundle = temp.resolve("partial.tar");
        Cli.Run run = a.run("bundle", "export", "--repository", "local/app", bundle.toString());

        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.out()).contains("local/app:1.0").doesNotContain("local/app:2.0");
        assertThat(run.err().strip()).startsWith("left out local/app:2.0: platform linux/arm64: manifest ")
                .contains(index.platformImage("arm64").digest());
        assertThat(bundle).exists();

        Cli.Run amd64 = a.run("bundle", "export", "--repository", "local/app", "--platforms", "linux/amd64", bundle.toString());
        assertThat(amd64.succeeded().out()).contains("2 tag(s)");
    }

    @Test
    void refusesAHostileArchiveInOneLine() throws IOException {
        Path hostile = temp.resolve("hostile.tar");
        Files.write(hostile, BundleArchive.of(V1, "local/app:1.0").file("../escape", new byte[] {1}).bytes());

        String error = a.run("bundle", "import", hostile.toString()).failedWithOneLine();

        assertThat(error).isEqualTo("cachalot: bundle refused: entry '../escape' climbs out of the archive with '..'");
    }

    @Test
    void aBadTagFilterIsNamedPrecisely() {
        a.run("bundle", "import", original.toString()).succeeded();

        String error = a.run("bundle", "export", "--repository", "local/app", "--tags", "semver:>=1 <", temp.resolve("x.tar").toString())
                .failedWithOneLine();

        assertThat(error).contains("'<' is not followed by a version");
        assertThat(temp.resolve("x.tar")).doesNotExist();
    }

    @Test
    void ruleAndRepositoryExcludeEachOther() {
        Cli.Run both = a.run("bundle", "export", "--rule", "some-rule", "--repository", "local/app", temp.resolve("x.tar").toString());
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");

        String unknown = a.run("bundle", "export", "--rule", "no-such-rule", temp.resolve("x.tar").toString()).failedWithOneLine();
        assertThat(unknown).isEqualTo("cachalot: no rule named 'no-such-rule'");
    }
}
