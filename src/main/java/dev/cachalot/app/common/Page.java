package dev.cachalot.app.common;

import javafx.scene.Node;
import org.kordamp.ikonli.Ikon;

/**
 * A page of the portal. Lifecycle after WorkbenchFX: {@link #activate()} when shown (start live updates),
 * {@link #deactivate()} when left. The shell routes menu commands (F5, Ctrl+F, Ctrl+N, Delete) to the page shown.
 */
public interface Page {

    String title();

    Ikon icon();

    Node view();

    default void activate() {
        refresh();
    }

    default void deactivate() {
    }

    default void refresh() {
    }

    /** Ctrl+F: focus the page's filter box, if it has one. */
    default void focusFilter() {
    }

    /** Delete: delete the selection after confirmation, if the page has one. */
    default void deleteSelected() {
    }
}
