package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.app.rules.ExportFormat;
import dev.cachalot.app.rules.RulesPage;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.oci.Json;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.ImportEntry;
import dev.cachalot.rules.ImportReport;
import dev.cachalot.storage.DataFolder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.Label;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * Export offers ACR JSON beside Cachalot's own formats, and what it writes is what the import (here, and ACR's
 * {@code az acr cache} shape) takes: the rules come back whole in a second engine.
 */
@ExtendWith(ApplicationExtension.class)
class RulesExportUiTest {
    @TempDir
    Path temp;
    private Engine engine;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        engine = TestEngine.open(temp.resolve("data"));
        engine.createRule(new RuleDraft("quay-app", "quay.io/team/app", "team-app", null, null));
        engine.createRule(new RuleDraft("mcr-dotnet", "mcr.microsoft.com/dotnet/*", "dotnet/*", null, null));
        window = AppHarness.open(stage, engine);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void exportWritesAcrJsonThatTheImportTakesBack(FxRobot robot) throws Exception {
        MenuBar bar = robot.lookup(".menu-bar").queryAs(MenuBar.class);
        List<String> fileMenu = bar.getMenus().get(0).getItems().stream().map(MenuItem::getText).toList();
        assertThat(fileMenu).contains("Import rules…", "Export rules…");
        assertThat(ExportFormat.values()).extracting(ExportFormat::id).contains("acr-json", "cachalot-json");

        robot.interact(() -> window.select("Cache rules"));
        RulesPage page = window.pages().stream().filter(RulesPage.class::isInstance).map(RulesPage.class::cast).findFirst().orElseThrow();
        File out = temp.resolve("acr-rules.json").toFile();
        robot.interact(() -> page.exportTo(out, ExportFormat.ACR_JSON));
        waitUntil(() -> AppHarness.allNodes().stream().anyMatch(n -> n instanceof Label l && l.getText() != null
                && l.getText().startsWith("Exported 2 rules to acr-rules.json (ACR JSON")));

        JsonNode written = Json.mapper().readTree(Files.readString(out.toPath()));
        assertThat(written.isArray()).as("the shape az acr cache list prints: an array of cache rules").isTrue();
        assertThat(written.get(0).path("type").asText()).isEqualTo("Microsoft.ContainerRegistry/registries/cacheRules");

        try (Engine other = Engine.open(new DataFolder(temp.resolve("other")))) {
            ImportReport report = other.importRules(List.of(out.toPath()), null, false);
            assertThat(report.applied()).as(String.join("; ", report.problems())).isTrue();
            assertThat(report.entries()).allMatch(ImportEntry::valid);
            assertThat(other.rules()).extracting(CacheRule::name, CacheRule::sourceRepository, CacheRule::targetRepository)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("quay-app", "quay.io/team/app", "team-app"),
                            org.assertj.core.groups.Tuple.tuple("mcr-dotnet", "mcr.microsoft.com/dotnet/*", "dotnet/*"));
        }
    }
}
