package dev.cachalot.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchConfigTest {

    @Test
    void runsEveryWorkloadUnlessToldWhich() {
        assertThat(BenchConfig.parse().workloads()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);

        BenchConfig some = BenchConfig.parse("--workloads", "2,6");
        assertThat(some.runsWorkload(2)).isTrue();
        assertThat(some.runsWorkload(6)).isTrue();
        assertThat(some.runsWorkload(1)).isFalse();
    }

    @Test
    void refusesWorkloadsThatDoNotExist() {
        assertThatThrownBy(() -> BenchConfig.parse("--workloads", "2,11"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 10");
    }

    @Test
    void cachalotRunsWithThePackagedLaunchersJvmOptionsExceptThoseOfTheAppImage(@TempDir Path dir) throws Exception {
        Path args = dir.resolve("launcher.args");
        Files.writeString(args, String.join("\n",
                "# comment",
                "--main-jar cachalot.jar",
                "--java-options -XX:SharedArchiveFile=$APPDIR/cachalot.jsa",
                "--java-options -Dsomething=$APPDIR/x",
                "--java-options -Xshare:auto",
                "  --java-options -Xmx256m  ",
                ""));

        assertThat(BenchConfig.productJvmOptions(args, Path.of("/tmp/x.jsa")))
                .containsExactly("-XX:SharedArchiveFile=/tmp/x.jsa", "-Xshare:auto", "-Xmx256m");
    }

    @Test
    void theDefaultLauncherCarriesTheRepositorysLauncherOptions() {
        List<String> launcher = BenchConfig.parse("--jar", "x.jar").launcher();

        assertThat(launcher).contains("-Xmx256m").endsWith("-jar", "x.jar");
        assertThat(launcher).contains("-XX:SharedArchiveFile=" + Path.of("x.jsa").toAbsolutePath());
        assertThat(launcher).noneMatch(option -> option.contains("$APPDIR"));
    }

    @Test
    void anAppImageRunsByItsOwnLauncherAndTheReportSaysSo(@TempDir Path image) throws Exception {
        for (Path executable : List.of(image.resolve("bin/cachalot"), image.resolve("lib/runtime/bin/java"))) {
            Files.createDirectories(executable.getParent());
            Files.writeString(executable, "#!/bin/sh\n");
            assertThat(executable.toFile().setExecutable(true)).isTrue();
        }

        BenchConfig config = BenchConfig.parse("--app-image", image.toString());

        assertThat(config.launcher()).containsExactly(image.resolve("bin/cachalot").toAbsolutePath().toString());
        assertThat(config.appImage()).contains(image.toAbsolutePath());
        assertThat(config.launcherDescription()).startsWith("`" + image.resolve("bin/cachalot").toAbsolutePath() + " serve`");
        BenchConfig jar = BenchConfig.parse("--jar", "x.jar");
        assertThat(jar.appImage()).isEmpty();
        assertThat(jar.launcherDescription()).contains("-jar x.jar serve`");
    }

    @Test
    void aFolderThatIsNoAppImageIsRefusedByName(@TempDir Path folder) {
        assertThatThrownBy(() -> BenchConfig.parse("--app-image", folder.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--app-image " + folder + ": no app image there");
    }
}
