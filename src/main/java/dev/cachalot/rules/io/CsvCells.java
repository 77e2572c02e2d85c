package dev.cachalot.rules.io;

/**
 * CSV injection defence (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with {@code = + - @},
 * tab or carriage return as a formula. Exported cells that start so get a leading {@code '}, which spreadsheets
 * show as text; import takes that quote off again so a round trip is lossless. A formula that reaches import
 * unescaped is not removed: it simply fails rule validation like any other bad name.
 */
final class CsvCells {

    private CsvCells() {
    }

    static boolean isFormulaStart(char ch) {
        return ch == '=' || ch == '+' || ch == '-' || ch == '@' || ch == '\t' || ch == '\r';
    }

    /** The value as a CSV cell (quoting is the writer's): formula-neutralized, null as empty. */
    static String neutralize(String value) {
        if (value == null) return "";
        return !value.isEmpty() && isFormulaStart(value.charAt(0)) ? "'" + value : value;
    }

    /** A cell as read: the export's protective quote removed. */
    static String unescape(String cell) {
        if (cell.length() >= 2 && cell.charAt(0) == '\'' && isFormulaStart(cell.charAt(1))) {
            return cell.substring(1);
        }
        return cell;
    }
}
