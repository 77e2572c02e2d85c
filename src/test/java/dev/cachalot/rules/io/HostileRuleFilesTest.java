package dev.cachalot.rules.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cachalot.rules.ImportReport;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files built to hurt: each must end in one clear file-level problem with nothing imported. The timeout is a hang
 * guard that fails a stuck test, not a speed assertion.
 */
class HostileRuleFilesTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    ImportFixture fx;

    @BeforeEach
    void open() {
        fx = new ImportFixture(dir.resolve("data"));
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private String refusal(Path file) {
        ImportReport report = assertTimeoutPreemptively(HANG_GUARD,
                () -> fx.importer().importRules(List.of(file), null, true, ConflictPolicy.FAIL));
        assertThat(report.applied()).isFalse();
        assertThat(report.imported()).isZero();
        assertThat(fx.ruleList()).isEmpty();
        assertThat(report.problems()).hasSize(1);
        return report.problems().get(0);
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void refusesAFileOverTheSizeLimitWithoutReadingIt() throws Exception {
        Path big = dir.resolve("huge.json");
        try (OutputStream out = Files.newOutputStream(big)) {
            byte[] chunk = "[                                                              ]\n".repeat(1024).getBytes(StandardCharsets.US_ASCII);
            for (long written = 0; written <= RuleFileText.DEFAULT_MAX_BYTES; written += chunk.length) out.write(chunk);
        }

        assertThat(refusal(big)).startsWith("huge.json: the file is too large for a rule file").contains("the limit is 10 MiB");
    }

    @Test
    void refusesDeeplyNestedJson() throws Exception {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);

        assertThat(refusal(write("deep.json", deep.getBytes(StandardCharsets.US_ASCII))))
                .contains("nesting depth").contains("at most " + LocatedTree.MAX_NESTING_DEPTH + " levels deep");
    }

    @Test
    void refusesDeeplyNestedYaml() throws Exception {
        String deep = "version: 1\nrules: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n";

        assertThat(refusal(write("deep.yaml", deep.getBytes(StandardCharsets.US_ASCII)))).containsIgnoringCase("nesting");
    }

    @Test
    void refusesAYamlBombAtItsFirstAlias() throws Exception {
        StringBuilder bomb = new StringBuilder("version: 1\na0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (int i = 1; i < 30; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [")
                    .append(String.join(",", java.util.Collections.nCopies(9, "*a" + (i - 1)))).append("]\n");
        }
        bomb.append("rules: *a29\n");

        assertThat(refusal(write("bomb.yaml", bomb.toString().getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("bomb.yaml: YAML aliases (*name) are not allowed in rule files (line 3)");
    }

    @Test
    void refusesBinaryJunk() throws Exception {
        byte[] junk = new byte[4096];
        new Random(42).nextBytes(junk);
        junk[0] = (byte) 0x89; // a PNG's first bytes
        junk[1] = 'P';
        junk[7] = 0;

        assertThat(refusal(write("picture.png", junk))).startsWith("picture.png: not a rule file: it contains binary data");
    }

    @Test
    void refusesInvalidUtf8WithTheOffsetOfTheBadByte() throws Exception {
        byte[] latin1 = "name,source,target\ncaf\u00e9-rule,quay.io/a/b,b\n".getBytes(StandardCharsets.ISO_8859_1);

        assertThat(refusal(write("latin1.csv", latin1))).isEqualTo("latin1.csv: the file is not valid UTF-8 (bad byte sequence at byte offset 22): save it as UTF-8");
    }

    @Test
    void readsUtf16WithAByteOrderMark() throws Exception {
        byte[] utf16 = "\uFEFFname,source,target\nmcr-sdk,mcr.microsoft.com/dotnet/sdk,sdk\n".getBytes(StandardCharsets.UTF_16LE);

        ImportReport report = fx.importer().importRules(List.of(write("ps.csv", utf16)), null, false, ConflictPolicy.FAIL);

        assertThat(report.applied()).as(report.toString()).isTrue();
        assertThat(fx.ruleList()).hasSize(1);
    }

    @Test
    void refusesUtf16WithoutAByteOrderMarkAsBinary() throws Exception {
        byte[] utf16 = "name,source,target\n".getBytes(StandardCharsets.UTF_16LE);

        assertThat(refusal(write("nobom.csv", utf16))).contains("a UTF-16 file needs its byte order mark");
    }

    @Test
    void refusesTextThatIsNoRuleFormat() throws Exception {
        assertThat(refusal(write("notes.txt", "Remember to buy milk.\nAnd eggs: a dozen.\n".getBytes(StandardCharsets.UTF_8))))
                .startsWith("notes.txt: not a rule file");
    }

    @Test
    void refusesAnEmptyFile() throws Exception {
        assertThat(refusal(write("empty.csv", new byte[0]))).isEqualTo("empty.csv: the file is empty");
    }

    @Test
    void refusesTruncatedJsonWithItsPosition() throws Exception {
        assertThat(refusal(write("cut.json", "{\"version\": 1, \"rules\": [{\"name\": \"x\"".getBytes(StandardCharsets.UTF_8))))
                .startsWith("cut.json: not valid JSON at line 1");
    }

    @Test
    void aFormulaCellInAnImportedCsvSimplyFailsValidation() throws Exception {
        Path csv = write("formula.csv", "name,source,target\n=SUM(A1:A9),quay.io/a/b,b\n".getBytes(StandardCharsets.UTF_8));

        ImportReport report = fx.importer().importRules(List.of(csv), null, false, ConflictPolicy.FAIL);

        assertThat(report.applied()).isFalse();
        assertThat(report.entries()).singleElement().satisfies(e -> assertThat(e.problem()).contains("=SUM(A1:A9)"));
        assertThat(fx.ruleList()).isEmpty();
    }

    @Test
    void oneUnreadableFileStopsAnImportOfSeveral() throws Exception {
        Path good = write("good.csv", "name,source,target\nmcr-sdk,mcr.microsoft.com/dotnet/sdk,sdk\n".getBytes(StandardCharsets.UTF_8));
        Path bad = write("bad.bin", new byte[]{0, 1, 2, 3});

        ImportReport report = fx.importer().importRules(List.of(good, bad), null, true, ConflictPolicy.FAIL);

        assertThat(report.applied()).isFalse();
        assertThat(report.entries()).hasSize(1).allMatch(e -> e.valid());
        assertThat(fx.ruleList()).isEmpty();
    }
}
