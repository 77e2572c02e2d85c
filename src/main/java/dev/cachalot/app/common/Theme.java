package dev.cachalot.app.common;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;

/** The two AtlantaFX themes the app offers. Switching applies to every window at once. */
public enum Theme {
    LIGHT("Light"), DARK("Dark");

    private final String label;

    Theme(String label) {
        this.label = label;
    }

    public void apply() {
        Application.setUserAgentStylesheet(this == DARK
                ? new PrimerDark().getUserAgentStylesheet()
                : new PrimerLight().getUserAgentStylesheet());
    }

    public static Theme parse(String s) {
        for (Theme t : values()) {
            if (t.name().equalsIgnoreCase(s)) return t;
        }
        return LIGHT;
    }

    @Override
    public String toString() {
        return label;
    }
}
