package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.app.rules.RulesPage;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.sync.SyncRequest;
import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The portal on the Cache rules page for the sync UI tests: the real engine in front of the shared docker-registry,
 * through a counting proxy (which can slow one blob down), with tags 3.19, 3.20 and 4.0 in each upstream repository.
 * One per test class; {@link #start} and {@link #stop} per test (a fresh engine, proxy and window each time).
 */
final class RuleSyncPortal {

    /** A rule of the test: the upstream repository it caches, under its own name, with a sync policy (null: passive). */
    record Rule(String name, String upstreamRepository, SyncDraft sync) {
    }

    final TestImage v319;
    final TestImage v320;
    final TestImage v40;
    private DockerRegistryFixture upstream;
    private List<Rule> rules = List.of();
    CountingProxy front;
    Engine engine;
    private MainWindow window;

    RuleSyncPortal(int seed) {
        TestImages images = new TestImages(seed);
        v319 = images.ociImage();
        v320 = images.ociImage();
        v40 = images.ociImage();
    }

    /** Pushes the three tags to each repository of the shared upstream; once per class. */
    void pushThreeTags(String... repositories) {
        upstream = SharedRegistries.open();
        RegistryPusher pusher = new RegistryPusher(upstream.url());
        for (String repo : repositories) {
            pusher.push(repo, "3.19", v319);
            pusher.push(repo, "3.20", v320);
            pusher.push(repo, "4.0", v40);
        }
    }

    /** A fresh engine on {@code data} with the rules, each synced once for 4.0, then the window on it. */
    void start(Stage stage, Path data, Rule... rules) {
        this.rules = List.of(rules);
        front = CountingProxy.start(upstream.url());
        engine = TestEngine.open(data);
        engine.addUpstream(front.hostPort(), front.url(), null);
        for (Rule rule : rules) {
            engine.createRule(new RuleDraft(rule.name(), front.hostPort() + "/" + rule.upstreamRepository(), rule.name(), null, null,
                    rule.sync()));
        }
        // one run each (of a tag outside the tests' filters) before the window opens: the rules are not due, so the
        // engine's scheduler leaves them alone and every run in a test is one the test starts
        for (Rule rule : rules) engine.syncRule(rule.name(), new SyncRequest("4.0", false), p -> { });
        window = AppHarness.open(stage, engine);
    }

    void stop() {
        engine.close();
        front.close();
    }

    /** Opens the Cache rules page; its table once it lists every rule. */
    TableView<CacheRule> rulesPage(FxRobot robot) {
        robot.interact(() -> window.select("Cache rules"));
        @SuppressWarnings("unchecked")
        TableView<CacheRule> table = robot.lookup("#" + RulesPage.TABLE_ID).queryAs(TableView.class);
        waitUntil(() -> table.getItems().size() == rules.size());
        return table;
    }

    CacheRule rule(String name) {
        return engine.rules().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    static void select(FxRobot robot, TableView<CacheRule> table, String rule) {
        robot.clickOn(robot.lookup(n -> n instanceof TableCell<?, ?> c && rule.equals(c.getText())).queryAs(Node.class));
        waitUntil(() -> table.getSelectionModel().getSelectedItem() != null
                && table.getSelectionModel().getSelectedItem().name().equals(rule));
    }

    /** Types {@code text} over what the field held. */
    static void replace(FxRobot robot, String id, String text) {
        robot.clickOn(id).press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL).write(text);
    }

    /** Waits until the label says {@code expected}, naming what it said instead when it never does. */
    static void shows(FxRobot robot, String id, String expected) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            assertThat(text(robot, id)).isEqualTo(expected);
        });
    }

    static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    /** The rule's cell in the column of that heading, as shown. */
    static String cell(TableView<CacheRule> table, String rule, String column) {
        TableColumn<CacheRule, ?> c = table.getColumns().stream().filter(col -> col.getText().equals(column)).findFirst().orElseThrow();
        return table.getItems().stream().filter(r -> r.name().equals(rule)).findFirst()
                .map(r -> String.valueOf(c.getCellData(r))).orElse("");
    }
}
