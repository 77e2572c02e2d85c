package dev.cachalot.app.upstreams;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Formats;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import java.net.URI;
import javafx.beans.property.ObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ListCell;
import javafx.scene.layout.VBox;

/**
 * "Custom registry…" at the end of a wizard's registry list. Choosing it shows a {@link CustomRegistryForm} under
 * the list (and leaves the wizard's choice empty, so its step cannot go on); once the registry is added, it joins
 * the wizard's list and becomes its choice. The wizard's own model never sees the "Custom registry…" entry.
 */
public final class CustomRegistryChoice {
    /** The list entry itself; told apart by identity, never saved anywhere. */
    static final Upstream ENTRY = new Upstream("Custom registry…", "", URI.create("https://custom.invalid"), AuthMode.BOTH, null, false);

    private CustomRegistryChoice() {
    }

    /**
     * Fills {@code combo} with {@code catalog} plus "Custom registry…" and keeps its value and {@code chosen} in step.
     *
     * @return the custom registry form, shown only while "Custom registry…" is chosen: put it under the combo
     */
    public static VBox attach(ComboBox<Upstream> combo, ObservableList<Upstream> catalog, ObjectProperty<Upstream> chosen,
            AppContext context) {
        ObservableList<Upstream> items = FXCollections.observableArrayList();
        Runnable fill = () -> {
            Upstream keep = combo.getValue();
            items.setAll(catalog);
            items.add(ENTRY);
            if (keep != null && items.contains(keep)) combo.setValue(keep);
        };
        catalog.addListener((ListChangeListener<Upstream>) c -> fill.run());
        fill.run();
        combo.setItems(items);
        combo.setCellFactory(l -> new Cell());
        combo.setButtonCell(new Cell());

        VBox holder = new VBox();
        holder.setVisible(false);
        holder.managedProperty().bind(holder.visibleProperty());
        combo.valueProperty().addListener((o, a, v) -> {
            if (v == ENTRY) {
                CustomRegistryForm form = new CustomRegistryForm(new CustomRegistryViewModel(context), added -> {
                    if (catalog.stream().noneMatch(u -> u.loginServer().equals(added.loginServer()))) catalog.add(added);
                    Upstream listed = catalog.stream().filter(u -> u.loginServer().equals(added.loginServer())).findFirst().orElse(added);
                    combo.setValue(listed);
                });
                holder.getChildren().setAll(form.view());
                holder.setVisible(true);
                chosen.set(null);
            } else {
                holder.setVisible(false);
                holder.getChildren().clear();
                if (v != null) chosen.set(v);
            }
        });
        chosen.addListener((o, a, v) -> {
            if (v != null && combo.getValue() != v) combo.setValue(v);
        });
        if (chosen.get() != null) combo.setValue(chosen.get());
        return holder;
    }

    private static final class Cell extends ListCell<Upstream> {
        @Override
        protected void updateItem(Upstream u, boolean empty) {
            super.updateItem(u, empty);
            setText(empty || u == null ? null : u == ENTRY ? ENTRY.displayName() : Formats.upstream(u));
        }
    }
}
