package dev.cachalot.app.rules;

/** The formats Export offers, as its file chooser lists them, and the engine's format id for each. */
public enum ExportFormat {
    CACHALOT_JSON("Cachalot JSON (rules, credential sets, custom upstreams)", "cachalot-json", "json"),
    ACR_JSON("ACR JSON (as az acr cache list prints it)", "acr-json", "json"),
    CACHALOT_YAML("Cachalot YAML", "cachalot-yaml", "yaml"),
    CSV("CSV (name, source, target, credential set)", "csv", "csv");

    private final String description;
    private final String id;
    private final String extension;

    ExportFormat(String description, String id, String extension) {
        this.description = description;
        this.id = id;
        this.extension = extension;
    }

    public String description() {
        return description;
    }

    /** The engine's name of the format ({@code EngineApi.exportRules}). */
    public String id() {
        return id;
    }

    public String extension() {
        return extension;
    }

    /** The chooser's filter for the format. */
    public javafx.stage.FileChooser.ExtensionFilter filter() {
        return new javafx.stage.FileChooser.ExtensionFilter(description, "*." + extension);
    }
}
