package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.engine.Engine;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RulesImportExportCommandTest {

    @TempDir
    Path dir;
    Engine engine;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    @BeforeEach
    void open() {
        engine = Engine.open(dir.resolve("data"));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private int importCommand(String... args) {
        RulesImportCommand cmd = new RulesImportCommand(() -> engine);
        CommandLine cl = new CommandLine(cmd);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void printsEachEntryWithLocationRuleAndVerdictAndExitsNonZeroOnRefusal() throws Exception {
        Path csv = dir.resolve("r.csv");
        Files.writeString(csv, "name,source,target\nmcr-sdk,mcr.microsoft.com/dotnet/sdk,sdk\nmcr-bad,mcr.microsoft.com/x:1,x\n");

        int exit = importCommand(csv.toString(), "--on-conflict", "skip");

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("r.csv:2  mcr-sdk: mcr.microsoft.com/dotnet/sdk -> sdk  OK")
                .contains("r.csv:3  ").contains("REFUSED: ").contains("tag or digest")
                .contains("nothing imported (2 checked, 1 refused)");
        assertThat(engine.rules()).isEmpty();
    }

    @Test
    void dryRunChangesNothingAndExitsZeroWhenAllIsValid() throws Exception {
        Path csv = dir.resolve("r.csv");
        Files.writeString(csv, "name,source,target\nmcr-sdk,mcr.microsoft.com/dotnet/sdk,sdk\n");

        assertThat(importCommand("--dry-run", csv.toString())).isZero();
        assertThat(out.toString()).contains("dry run: nothing changed");
        assertThat(engine.rules()).isEmpty();

        assertThat(importCommand(csv.toString())).isZero();
        assertThat(engine.rules()).hasSize(1);
    }

    @Test
    void reportsAnUnreadableFileOnStandardError() throws Exception {
        Path bin = dir.resolve("x.bin");
        Files.write(bin, new byte[]{0, 0, 0});

        assertThat(importCommand(bin.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("error: x.bin: not a rule file");
    }

    @Test
    void exportsToStandardOutputOrAFile() throws Exception {
        Path csv = dir.resolve("r.csv");
        Files.writeString(csv, "name,source,target\nmcr-sdk,mcr.microsoft.com/dotnet/sdk,sdk\n");
        importCommand(csv.toString());
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        RulesExportCommand export = new RulesExportCommand(() -> engine, stdout);

        assertThat(new CommandLine(export).execute("--format", "csv")).isZero();
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo(
                "name,source,target,credentialSet,freshness\r\nmcr-sdk,mcr.microsoft.com/dotnet/sdk,sdk,,revalidate\r\n");

        Path file = dir.resolve("out.yaml");
        assertThat(new CommandLine(export).execute("--format", "cachalot-yaml", file.toString())).isZero();
        assertThat(Files.readString(file)).contains("mcr-sdk");
    }
}
