package dev.cachalot.app.common;

import java.util.Comparator;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.TableColumn;

/** Table columns from plain getters (records), sortable. */
public final class Tables {
    private Tables() {
    }

    public static <S> TableColumn<S, String> text(String title, Function<S, String> value, double width) {
        TableColumn<S, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(value.apply(cd.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    /** A text column whose cells show {@code tooltip} on hover (the full value behind a shortened one). */
    public static <S> TableColumn<S, String> text(String title, Function<S, String> value, Function<S, String> tooltip, double width) {
        TableColumn<S, String> c = text(title, value, width);
        c.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                S row = empty || getTableRow() == null ? null : getTableRow().getItem();
                setTooltip(row == null ? null : new javafx.scene.control.Tooltip(tooltip.apply(row)));
            }
        });
        return c;
    }

    /** A column that shows {@code display} but sorts by the raw {@code value} (sizes, times). */
    public static <S, T extends Comparable<T>> TableColumn<S, T> sorted(String title, Function<S, T> value,
                                                                       Function<T, String> display, double width) {
        TableColumn<S, T> c = new TableColumn<>(title);
        c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(value.apply(cd.getValue())));
        c.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(T item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : display.apply(item));
            }
        });
        c.setComparator(Comparator.nullsFirst(Comparator.naturalOrder()));
        c.setPrefWidth(width);
        // a narrow window squeezes columns, but a short number under a header cut to "P…" cannot be read
        c.setMinWidth(Math.min(width, headerWidth(title)));
        return c;
    }

    /** About the width the header {@code title} needs in the default font, with room for the sort arrow. */
    static double headerWidth(String title) {
        return Math.ceil(title.length() * 8.5 + 30);
    }
}
