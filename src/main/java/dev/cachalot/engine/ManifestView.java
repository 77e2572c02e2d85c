package dev.cachalot.engine;

import java.util.List;

/** A manifest's JSON (pretty) and its layers or child manifests with sizes and whether each is cached. */
public record ManifestView(String digest, String mediaType, String prettyJson, List<Layer> layers) {
    public record Layer(String digest, String mediaType, long size, boolean cached, String platform) {
    }
}
