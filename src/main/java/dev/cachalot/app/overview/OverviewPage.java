package dev.cachalot.app.overview;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Charts;
import dev.cachalot.app.common.Page;
import dev.cachalot.app.common.Ui;
import dev.cachalot.stats.RepositoryStats;
import dev.cachalot.stats.TimeBucket;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import javafx.beans.value.ObservableValue;
import javafx.collections.ListChangeListener;
import javafx.scene.Node;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.StackedBarChart;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignV;

/** Overview: engine status, key figures, pulls over time (hits vs misses) and the top repositories. */
public final class OverviewPage implements Page {
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH").withZone(ZoneId.systemDefault());
    private final OverviewViewModel vm;
    private final ScrollPane root;

    /** @param createRule opens the rule wizard (the first thing to do while there is no rule) */
    public OverviewPage(AppContext context, Runnable createRule) {
        this.vm = new OverviewViewModel(context);
        Label firstStep = new Label("No cache rules yet. Nothing can be pulled through the cache until a rule says which "
                + "upstream repositories to cache: create one first, then point your clients at the cache (see Client setup).");
        firstStep.setWrapText(true);
        firstStep.setId("overviewNoRules");
        javafx.scene.control.Button create = new javafx.scene.control.Button("Create rule",
                Ui.icon(org.kordamp.ikonli.materialdesign2.MaterialDesignP.PLUS));
        create.setId("overviewCreateRule");
        create.getStyleClass().add("accent");
        create.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        create.setOnAction(e -> createRule.run());
        javafx.scene.layout.HBox getStarted = new javafx.scene.layout.HBox(12, firstStep, create);
        getStarted.setId("overviewGetStarted");
        getStarted.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        getStarted.setStyle("-fx-padding: 12; -fx-border-color: -color-accent-emphasis; -fx-border-radius: 6; -fx-background-radius: 6;");
        javafx.scene.layout.HBox.setHgrow(firstStep, javafx.scene.layout.Priority.ALWAYS);
        getStarted.visibleProperty().bind(vm.noRulesProperty());
        getStarted.managedProperty().bind(getStarted.visibleProperty());
        FlowPane cards = new FlowPane(12, 12,
                card("Engine", vm.statusProperty(), "overviewStatus"),
                card("Cached repositories", vm.repositoriesProperty(), "overviewRepositories"),
                card("Cache size on disk", vm.cacheSizeProperty(), "overviewCacheSize"),
                explained(card("Hit ratio (24 h)", vm.hitRatioProperty(), "overviewHitRatio")),
                card("Served from cache (24 h)", vm.upstreamSavedProperty(), "overviewUpstreamSaved", "upstream bytes saved"),
                card("From upstreams (24 h)", vm.upstreamFetchedProperty(), "overviewUpstreamFetched", "on cache misses"),
                card("Docker Hub pulls avoided", vm.hubPullsAvoidedProperty(), "overviewHubAvoided", "not counted against rate limits"));

        CategoryAxis timeAxis = new CategoryAxis();
        timeAxis.setTickLabelRotation(0);
        NumberAxis pullsAxis = new NumberAxis();
        pullsAxis.setLabel("Pulls");
        Charts.countAxis(pullsAxis, 0);
        StackedBarChart<String, Number> overTime = new StackedBarChart<>(timeAxis, pullsAxis);
        overTime.setId("pullsOverTimeChart");
        overTime.setTitle("Pulls per hour, last 24 hours");
        overTime.setAnimated(false);
        overTime.setPrefHeight(300);
        overTime.setMinHeight(260);
        XYChart.Series<String, Number> hits = new XYChart.Series<>();
        hits.setName("Hits");
        XYChart.Series<String, Number> misses = new XYChart.Series<>();
        misses.setName("Misses");
        XYChart.Series<String, Number> stale = new XYChart.Series<>();
        stale.setName("Stale (upstream down)");
        overTime.getData().addAll(hits, misses, stale);
        Label noPulls = emptyState("No pulls in the last 24 hours. Once a cache rule exists, pull an image through the "
                + "cache (see Client setup) and it appears here.", "overviewNoPulls");
        vm.buckets().addListener((ListChangeListener<TimeBucket>) c -> {
            hits.getData().clear();
            misses.getData().clear();
            stale.getData().clear();
            long max = 0;
            for (TimeBucket b : vm.buckets()) {
                String at = HOUR.format(b.start());
                hits.getData().add(new XYChart.Data<>(at, b.hits()));
                misses.getData().add(new XYChart.Data<>(at, b.misses()));
                stale.getData().add(new XYChart.Data<>(at, b.stale()));
                max = Math.max(max, b.hits() + b.misses() + b.stale());
            }
            Charts.countAxis(pullsAxis, max);
            noPulls.setVisible(max == 0);
        });

        NumberAxis countAxis = new NumberAxis();
        countAxis.setLabel("Pulls");
        Charts.countAxis(countAxis, 0);
        CategoryAxis repoAxis = new CategoryAxis();
        BarChart<Number, String> topChart = new BarChart<>(countAxis, repoAxis);
        topChart.setId("topRepositoriesChart");
        topChart.setTitle("Top repositories, last 24 hours");
        topChart.setAnimated(false);
        topChart.setLegendVisible(false);
        XYChart.Series<Number, String> topSeries = new XYChart.Series<>();
        topChart.getData().add(topSeries);
        Label noTop = emptyState("No repository was pulled in the last 24 hours.", "overviewNoTopRepositories");
        vm.top().addListener((ListChangeListener<RepositoryStats>) c -> {
            topSeries.getData().clear();
            long max = 0;
            for (RepositoryStats r : vm.top()) {
                topSeries.getData().add(0, new XYChart.Data<>(r.served(), r.repository()));
                max = Math.max(max, r.pulls());
            }
            Charts.countAxis(countAxis, max);
            // bars keep a readable thickness: the chart grows with the number of repositories instead
            int n = Math.max(1, vm.top().size());
            topChart.setPrefHeight(110 + 34 * n);
            topChart.setMinHeight(110 + 34 * n);
            topChart.setCategoryGap(10);
            topChart.setMaxHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
            noTop.setVisible(vm.top().isEmpty());
            topChart.setVisible(!vm.top().isEmpty());
            topChart.setManaged(!vm.top().isEmpty());
        });
        topChart.setVisible(false);
        topChart.setManaged(false);

        StackPane overTimeBox = new StackPane(overTime, noPulls);
        StackPane topBox = new StackPane(topChart, noTop);
        topBox.setAlignment(javafx.geometry.Pos.TOP_CENTER);
        StackPane.setAlignment(noTop, javafx.geometry.Pos.CENTER);
        topBox.setMinHeight(260);
        // side by side: the hour axis is short enough ("13") to stay unrotated in half the width
        javafx.scene.layout.HBox charts = new javafx.scene.layout.HBox(12, overTimeBox, topBox);
        javafx.scene.layout.HBox.setHgrow(overTimeBox, javafx.scene.layout.Priority.ALWAYS);
        overTimeBox.setPrefWidth(600);
        topBox.setPrefWidth(340);
        topBox.setMinWidth(300);
        VBox box = Ui.pageBox(Ui.title("Overview"), Ui.errorLabel(vm.errorProperty()), getStarted, cards, charts);
        root = new ScrollPane(box);
        root.setFitToWidth(true);
    }

    /** Says why a chart is empty instead of showing bare axes. */
    private static Label emptyState(String text, String id) {
        Label l = new Label(text);
        l.setId(id);
        l.getStyleClass().addAll("text-muted", "empty-state");
        l.setWrapText(true);
        l.setMaxWidth(420);
        l.setMouseTransparent(true);
        return l;
    }

    private static VBox explained(VBox card) {
        dev.cachalot.app.stats.PullCounting.explain(card);
        return card;
    }

    private static VBox card(String title, ObservableValue<String> value, String id, String note) {
        VBox card = card(title, value, id);
        Label n = new Label(note);
        n.getStyleClass().addAll("text-muted", "text-small");
        n.setWrapText(true);
        card.getChildren().add(n);
        return card;
    }

    private static VBox card(String title, ObservableValue<String> value, String id) {
        Label t = new Label(title);
        t.getStyleClass().add("text-muted");
        Label v = new Label();
        v.setId(id);
        v.getStyleClass().add("title-2");
        v.textProperty().bind(value);
        VBox card = new VBox(4, t, v);
        card.getStyleClass().add("card");
        card.setStyle("-fx-padding: 12; -fx-border-color: -color-border-default; -fx-border-radius: 6; -fx-background-radius: 6;");
        card.setPrefWidth(215);
        card.setMinHeight(96);
        return card;
    }

    @Override public String title() { return "Overview"; }
    @Override public Ikon icon() { return MaterialDesignV.VIEW_DASHBOARD; }
    @Override public Node view() { return root; }
    @Override public void activate() { vm.activate(); }
    @Override public void deactivate() { vm.deactivate(); }
    @Override public void refresh() { vm.refresh(); }
}
