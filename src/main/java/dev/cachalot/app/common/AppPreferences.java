package dev.cachalot.app.common;

import java.util.prefs.Preferences;

/**
 * Where the app remembers window geometry, the last page and the theme. The node path comes from the system
 * property {@value #NODE_PROPERTY} so tests write elsewhere than the user's real preferences.
 */
public final class AppPreferences {
    public static final String NODE_PROPERTY = "cachalot.prefs.node";
    public static final String DEFAULT_NODE = "/dev/cachalot/app";

    private final Preferences node;

    public AppPreferences(Preferences node) {
        this.node = node;
    }

    public static AppPreferences fromSystemProperty() {
        return new AppPreferences(Preferences.userRoot().node(System.getProperty(NODE_PROPERTY, DEFAULT_NODE)));
    }

    public String get(String key, String fallback) {
        return node.get(key, fallback);
    }

    public double getDouble(String key, double fallback) {
        return node.getDouble(key, fallback);
    }

    public boolean getBoolean(String key, boolean fallback) {
        return node.getBoolean(key, fallback);
    }

    public void put(String key, String value) {
        node.put(key, value);
    }

    public void putDouble(String key, double value) {
        node.putDouble(key, value);
    }

    public void putBoolean(String key, boolean value) {
        node.putBoolean(key, value);
    }

    public void flush() {
        try {
            node.flush();
        } catch (Exception e) {
            // Preferences are a convenience: failing to save them must not stop the app from closing.
        }
    }
}
