package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import picocli.CommandLine;

/** The CLI builds only the subcommand its first argument names, and everything else still works as with all of them. */
class SubcommandSelectionTest {
    static final java.util.List<String> NAMES = CachalotCommand.SUBCOMMANDS;

    @TempDir
    Path data;

    private static CommandLine commandLine(String firstArgument) {
        PrintWriter sink = new PrintWriter(new StringWriter());
        return CachalotCommand.commandLine(sink, sink, firstArgument);
    }

    @ParameterizedTest
    @FieldSource("NAMES")
    void aSubcommandNamedFirstIsTheOnlyOneBuiltAndInheritsDataFolder(String name) {
        CommandLine cl = commandLine(name);
        assertThat(cl.getSubcommands().keySet()).containsExactly(name);
        assertThat(cl.getSubcommands().get(name).getCommandSpec().findOption("--data")).as("--data on " + name).isNotNull();
        cl.getSubcommands().get(name).getSubcommands().forEach((child, line) ->
                assertThat(line.getCommandSpec().findOption("--data")).as("--data on " + name + " " + child).isNotNull());
    }

    @Test
    void everySubcommandIsBuiltForHelpAnOptionFirstOrNothing() {
        for (String first : new String[] {null, "--help", "--data", "--version"}) {
            assertThat(commandLine(first).getSubcommands().keySet()).as("first argument " + first)
                    .containsExactlyElementsOf(NAMES);
        }
    }

    @Test
    void aMistypedSubcommandIsRefusedAsWithEverySubcommandBuilt() {
        Cli.Run run = Cli.runRaw("rulez", "list");
        StringWriter err = new StringWriter();
        int exit;
        try (PrintWriter e = new PrintWriter(err, true)) {
            exit = CachalotCommand.commandLine(new PrintWriter(new StringWriter()), e).execute("rulez", "list");
        }
        assertThat(run.exit()).isEqualTo(exit).isEqualTo(2);
        assertThat(run.err()).isEqualTo(err.toString()).contains("'rulez'");
    }

    @Test
    void topLevelHelpListsEverySubcommand() {
        Cli.Run run = Cli.runRaw("--help");
        assertThat(run.exit()).isZero();
        for (String name : NAMES) {
            assertThat(run.out()).contains(name);
        }
    }

    @Test
    void theDataFolderMayFollowTheSubcommand() {
        new Cli(data).run("upstream", "add", "--login-server", "registry.example.test", "--endpoint", "https://registry.example.test")
                .succeeded();
        Cli.Run list = Cli.runRaw("upstream", "list", "--data", data.toString());
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).contains("registry.example.test");
    }
}
