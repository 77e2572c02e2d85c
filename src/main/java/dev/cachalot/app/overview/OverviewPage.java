package dev.cachalot.app.overview;

import dev.cachalot.app.common.AppContext;
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
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignV;

/** Overview: engine status, key figures, pulls over time (hits vs misses) and the top repositories. */
public final class OverviewPage implements Page {
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());
    private final OverviewViewModel vm;
    private final ScrollPane root;

    public OverviewPage(AppContext context) {
        this.vm = new OverviewViewModel(context);
        FlowPane cards = new FlowPane(12, 12,
                card("Engine", vm.statusProperty(), "overviewStatus"),
                card("Cached repositories", vm.repositoriesProperty(), "overviewRepositories"),
                card("Cache size on disk", vm.cacheSizeProperty(), "overviewCacheSize"),
                card("Hit ratio (24 h)", vm.hitRatioProperty(), "overviewHitRatio"),
                card("Served from cache", vm.bytesFromCacheProperty(), "overviewBytesFromCache"),
                card("Upstream bytes saved", vm.upstreamSavedProperty(), "overviewUpstreamSaved"),
                card("Docker Hub pulls avoided", vm.hubPullsAvoidedProperty(), "overviewHubAvoided"));

        CategoryAxis timeAxis = new CategoryAxis();
        NumberAxis pullsAxis = new NumberAxis();
        pullsAxis.setLabel("Pulls");
        StackedBarChart<String, Number> overTime = new StackedBarChart<>(timeAxis, pullsAxis);
        overTime.setId("pullsOverTimeChart");
        overTime.setTitle("Pulls over the last 24 hours");
        overTime.setAnimated(false);
        XYChart.Series<String, Number> hits = new XYChart.Series<>();
        hits.setName("Hits");
        XYChart.Series<String, Number> misses = new XYChart.Series<>();
        misses.setName("Misses");
        XYChart.Series<String, Number> stale = new XYChart.Series<>();
        stale.setName("Stale");
        overTime.getData().addAll(hits, misses, stale);
        vm.buckets().addListener((ListChangeListener<TimeBucket>) c -> {
            hits.getData().clear();
            misses.getData().clear();
            stale.getData().clear();
            for (TimeBucket b : vm.buckets()) {
                String at = HOUR.format(b.start());
                hits.getData().add(new XYChart.Data<>(at, b.hits()));
                misses.getData().add(new XYChart.Data<>(at, b.misses()));
                stale.getData().add(new XYChart.Data<>(at, b.stale()));
            }
        });

        NumberAxis countAxis = new NumberAxis();
        CategoryAxis repoAxis = new CategoryAxis();
        BarChart<Number, String> topChart = new BarChart<>(countAxis, repoAxis);
        topChart.setId("topRepositoriesChart");
        topChart.setTitle("Top repositories (24 h)");
        topChart.setAnimated(false);
        topChart.setLegendVisible(false);
        XYChart.Series<Number, String> topSeries = new XYChart.Series<>();
        topChart.getData().add(topSeries);
        vm.top().addListener((ListChangeListener<RepositoryStats>) c -> {
            topSeries.getData().clear();
            for (RepositoryStats r : vm.top()) topSeries.getData().add(0, new XYChart.Data<>(r.pulls(), r.repository()));
        });

        HBox charts = new HBox(12, overTime, topChart);
        HBox.setHgrow(overTime, Priority.ALWAYS);
        HBox.setHgrow(topChart, Priority.ALWAYS);
        VBox box = Ui.pageBox(Ui.title("Overview"), Ui.errorLabel(vm.errorProperty()), cards, charts);
        root = new ScrollPane(box);
        root.setFitToWidth(true);
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
        card.setPrefWidth(230);
        return card;
    }

    @Override public String title() { return "Overview"; }
    @Override public Ikon icon() { return MaterialDesignV.VIEW_DASHBOARD; }
    @Override public Node view() { return root; }
    @Override public void activate() { vm.activate(); }
    @Override public void deactivate() { vm.deactivate(); }
    @Override public void refresh() { vm.refresh(); }
}
