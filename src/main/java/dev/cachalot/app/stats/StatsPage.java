package dev.cachalot.app.stats;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Formats;
import dev.cachalot.app.common.Page;
import dev.cachalot.app.common.Tables;
import dev.cachalot.app.common.Ui;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.stats.RepositoryStats;
import java.io.File;
import java.time.Instant;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignF;
import org.kordamp.ikonli.materialdesign2.MaterialDesignI;

/** Pull statistics page. */
public final class StatsPage implements Page {
    public static final String EVENTS_ID = "pullEventsTable";
    private final StatsViewModel vm;
    private final VBox root;

    public StatsPage(AppContext context) {
        this.vm = new StatsViewModel(context);
        ComboBox<StatsViewModel.Range> range = new ComboBox<>();
        range.setId("statsRange");
        range.getItems().setAll(StatsViewModel.Range.values());
        range.valueProperty().bindBidirectional(vm.rangeProperty());
        Button export = new Button("Export CSV…", Ui.icon(MaterialDesignF.FILE_DELIMITED));
        export.setId("exportPullsCsv");
        export.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setInitialFileName("pulls.csv");
            File f = chooser.showSaveDialog(export.getScene() == null ? null : export.getScene().getWindow());
            if (f != null) vm.exportCsv(f.toPath());
        });

        TableView<PullEvent> events = new TableView<>(vm.events());
        events.setId(EVENTS_ID);
        events.getColumns().add(Tables.sorted("Time", PullEvent::at, Formats::time, 165));
        events.getColumns().add(Tables.text("Repository", PullEvent::repository, 170));
        events.getColumns().add(Tables.text("Reference", e -> e.reference() != null && e.reference().startsWith("sha256:") ? Formats.shortDigest(e.reference()) : e.reference(),
                PullEvent::reference, 150));
        events.getColumns().add(Tables.text("Kind", e -> e.kind().name().toLowerCase(), 80));
        // "manifest" and "image" whole: the kind tells a pull from its requests
        events.getColumns().get(events.getColumns().size() - 1).setMinWidth(80);
        events.getColumns().add(Tables.text("Result", StatsPage::result, StatsPage::result, 150));
        events.getColumns().add(Tables.sorted("Bytes", PullEvent::bytes, Formats::bytes, 90));
        events.getColumns().add(Tables.sorted("Duration", PullEvent::durationMicros, Formats::duration, 90));
        events.getColumns().add(Tables.text("Client", PullEvent::client, PullEvent::client, 110));
        events.setPlaceholder(Ui.hint("No pulls in this time range. Pulls through the cache appear here as they happen."));
        events.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

        TableView<RepositoryStats> aggregates = new TableView<>(vm.aggregates());
        aggregates.setId("repositoryStatsTable");
        aggregates.getColumns().add(Tables.text("Repository", RepositoryStats::repository, 200));
        aggregates.getColumns().add(Tables.sorted("Pulls", RepositoryStats::pulls, String::valueOf, 60));
        aggregates.getColumns().add(Tables.sorted("Hits", RepositoryStats::hits, String::valueOf, 60));
        aggregates.getColumns().add(Tables.sorted("Misses", RepositoryStats::misses, String::valueOf, 70));
        aggregates.getColumns().add(Tables.sorted("Stale", RepositoryStats::stale, String::valueOf, 60));
        aggregates.getColumns().add(Tables.sorted("Failed", RepositoryStats::failed, String::valueOf, 65));
        aggregates.getColumns().add(Tables.sorted("Served", RepositoryStats::bytesServed, Formats::bytes, 90));
        aggregates.getColumns().add(Tables.sorted("From upstream", RepositoryStats::upstreamBytes, Formats::bytes, 135));
        aggregates.getColumns().add(Tables.sorted("Last pull", r -> r.lastPull() == null ? Instant.EPOCH : r.lastPull(), Formats::time, 165));
        aggregates.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        aggregates.setPlaceholder(Ui.hint("No repository was pulled in this time range."));
        Label definition = new Label("What is a pull?");
        definition.setId("pullDefinition");
        definition.getStyleClass().addAll("text-muted", "text-small");
        definition.setGraphic(Ui.icon(MaterialDesignI.INFORMATION_OUTLINE));
        PullCounting.explain(definition);

        SplitPane split = new SplitPane(events, aggregates);
        split.setOrientation(Orientation.VERTICAL);
        VBox.setVgrow(split, Priority.ALWAYS);
        Label notice = new Label();
        notice.textProperty().bind(vm.noticeProperty());
        root = Ui.pageBox(Ui.title("Pull statistics"), toolbar(range, export, notice, definition),
                Ui.errorLabel(vm.errorProperty()), split);
    }

    /** "hit", "miss", …; a failed pull says why ("failed: manifest unknown"), the whole reason in the tooltip. */
    static String result(PullEvent e) {
        String outcome = e.outcome().name().toLowerCase(java.util.Locale.ROOT);
        return e.error() == null || e.error().isBlank() ? outcome : outcome + ": " + e.error();
    }

    private static HBox toolbar(Node... nodes) {
        Label label = new Label("Time range");
        HBox bar = new HBox(8, label);
        bar.getChildren().addAll(nodes);
        bar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return bar;
    }

    @Override public String title() { return "Pull statistics"; }
    @Override public Ikon icon() { return MaterialDesignC.CHART_LINE; }
    @Override public Node view() { return root; }
    @Override public void activate() { vm.activate(); }
    @Override public void deactivate() { vm.deactivate(); }
    @Override public void refresh() { vm.refresh(); }
}
