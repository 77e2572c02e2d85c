package dev.cachalot.app.shell;

import dev.cachalot.BuildVersion;
import javafx.scene.control.Alert;
import javafx.stage.Window;

/** Help → About: the build's version (the same one {@code cachalot --version} prints and the packages carry). */
final class AboutDialog {

    private AboutDialog() {
    }

    static void show(Window owner) {
        Alert about = new Alert(Alert.AlertType.INFORMATION);
        about.initOwner(owner);
        about.setTitle("About Cachalot");
        about.setHeaderText("Cachalot " + BuildVersion.current());
        about.setContentText("A local pull-through cache for container images: an OCI registry that caches what you pull "
                + "from Docker Hub, GHCR, Quay, MCR and any other registry, by cache rules.\n\nLicensed under the Apache "
                + "License 2.0.");
        about.getDialogPane().setId("aboutDialog");
        about.show();
    }
}
