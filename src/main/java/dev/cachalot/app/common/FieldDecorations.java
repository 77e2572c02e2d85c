package dev.cachalot.app.common;

import javafx.beans.value.ObservableValue;
import javafx.scene.control.Control;
import org.controlsfx.validation.ValidationResult;
import org.controlsfx.validation.ValidationSupport;
import org.controlsfx.validation.decoration.GraphicValidationDecoration;

/**
 * Marks a field whose view model reports an error with ControlsFX's error decoration: a red mark on the field's
 * corner whose tooltip gives the reason, so a wrong field is seen at a glance. The reason stays readable under the
 * field too ({@link Ui#errorLabel}); the mark does not replace it.
 *
 * <p>The view model decides (its checks may ask the engine in the background and answer later): each field's
 * validator reads the error the view model reports now, and is asked again whenever that error changes.
 */
public final class FieldDecorations {
    private final ValidationSupport support = new ValidationSupport();

    public FieldDecorations() {
        support.setValidationDecorator(new GraphicValidationDecoration());
    }

    /** Decorates {@code field} while {@code error} is not empty, with {@code error} as the mark's tooltip. */
    public void decorate(Control field, ObservableValue<String> error) {
        support.registerValidator(field, false, (Control c, Object value) -> {
            String reason = error.getValue();
            return ValidationResult.fromErrorIf(c, reason, reason != null && !reason.isBlank());
        });
        error.addListener((o, a, b) -> support.revalidate(field));
    }
}
