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

    /** The cell as written to a CSV file: formula-neutralized and quoted when needed. */
    static String escape(String value, char delimiter) {
        if (value == null) return "";
        String v = value;
        if (!v.isEmpty() && isFormulaStart(v.charAt(0))) {
            v = "'" + v;
        }
        boolean quote = v.indexOf(delimiter) >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0
                || (!v.isEmpty() && (Character.isWhitespace(v.charAt(0)) || Character.isWhitespace(v.charAt(v.length() - 1))));
        return quote ? '"' + v.replace("\"", "\"\"") + '"' : v;
    }

    /** A cell as read: the export's protective quote removed. */
    static String unescape(String cell) {
        if (cell.length() >= 2 && cell.charAt(0) == '\'' && isFormulaStart(cell.charAt(1))) {
            return cell.substring(1);
        }
        return cell;
    }
}
