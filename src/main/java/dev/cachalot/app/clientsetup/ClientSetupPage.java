package dev.cachalot.app.clientsetup;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Page;
import dev.cachalot.app.common.Ui;
import java.util.Map;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextArea;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignL;

/** Client setup: snippets for Docker, containerd, podman and plain pulls, filled with the real address and rules. */
public final class ClientSetupPage implements Page {
    private final ClientSetupViewModel vm;
    private final VBox snippets = new VBox(14);
    private final Label error = new Label();
    private final ScrollPane root;

    public ClientSetupPage(AppContext context) {
        this.vm = new ClientSetupViewModel(context);
        error.getStyleClass().add("danger");
        error.textProperty().bind(vm.errorProperty());
        Label hint = Ui.hint("Point your container clients at the cache. The engine listens on plain HTTP on this machine.");
        vm.snippetsProperty().addListener((o, a, s) -> {
            if (s == null) return;
            hint.setText(s.access().tls() ? "Point your container clients at the cache. The engine serves HTTPS: trust its CA first."
                    : "Point your container clients at the cache. The engine listens on plain HTTP on this machine.");
            show(s);
        });
        VBox box = Ui.pageBox(Ui.title("Client setup"),
                hint, error, snippets);
        root = new ScrollPane(box);
        root.setFitToWidth(true);
    }

    @Override
    public void refresh() {
        vm.refresh();
    }

    private void show(ClientSnippets s) {
        snippets.getChildren().clear();
        if (!s.trustAndLogin().isEmpty()) {
            String what = s.access().tls() && s.access().loginRequired() ? "Trust the engine's CA and log in"
                    : s.access().tls() ? "Trust the engine's CA" : "Log in";
            snippets.getChildren().add(snippet(what + " — once per machine, before the files below", s.trustAndLogin(), "snippetTrustAndLogin"));
        }
        snippets.getChildren().add(
                snippet("Docker — /etc/docker/daemon.json (Docker Hub pulls; restart the Docker daemon)", s.dockerDaemonJson(), "snippetDocker"));
        for (Map.Entry<String, String> f : s.containerdHostsToml().entrySet()) {
            snippets.getChildren().add(snippet("containerd — " + f.getKey() + " (config_path must point at " + ClientSnippets.CONTAINERD_CERTS_D + ")", f.getValue(), "snippetContainerd-" + f.getKey().split("/")[4]));
        }
        snippets.getChildren().addAll(
                snippet("Podman — /etc/containers/registries.conf", s.podmanRegistriesConf(), "snippetPodman"),
                snippet("Plain pulls by local name", s.plainPulls(), "snippetPlain"));
    }

    private static VBox snippet(String title, String text, String id) {
        TextArea area = new TextArea(text);
        area.setId(id);
        area.setEditable(false);
        area.setStyle("-fx-font-family: monospace;");
        // tall enough for the whole snippet (up to a screenful): no scroll bar inside the page's own scroll
        area.setPrefRowCount((int) Math.min(16, text.lines().count() + 2));
        area.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        Button copy = new Button("Copy", Ui.icon(MaterialDesignC.CONTENT_COPY));
        copy.setOnAction(e -> Ui.copyToClipboard(text));
        copy.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        Label t = new Label(title);
        t.getStyleClass().add("text-bold");
        javafx.scene.layout.Region gap = new javafx.scene.layout.Region();
        HBox.setHgrow(gap, javafx.scene.layout.Priority.ALWAYS);
        HBox head = new HBox(8, t, gap, copy);
        head.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return new VBox(4, head, area);
    }

    @Override public String title() { return "Client setup"; }
    @Override public Ikon icon() { return MaterialDesignL.LAPTOP; }
    @Override public Node view() { return root; }
}
