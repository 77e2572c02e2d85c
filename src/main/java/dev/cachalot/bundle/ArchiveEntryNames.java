package dev.cachalot.bundle;

/**
 * The names a bundle's tar entries may have. Nothing is ever extracted by its name (blobs are staged under names we
 * make up), but an archive that carries {@code ../x} or {@code /etc/x} was built to attack whatever unpacks it, so
 * it is refused whole rather than trusted in its other parts.
 */
final class ArchiveEntryNames {

    private ArchiveEntryNames() {
    }

    /**
     * The name without leading {@code ./} (tar writes {@code ./index.json} when run as {@code tar -C dir .}), or a
     * {@link BundleException} naming the entry: absolute, with {@code ..}, a backslash, a NUL or an empty segment.
     */
    static String normalized(String name) {
        if (name == null || name.isEmpty()) throw refused(String.valueOf(name), "has no name");
        if (name.indexOf('\0') >= 0 || name.indexOf('\\') >= 0) throw refused(name, "has a NUL or backslash in its name");
        if (name.startsWith("/")) throw refused(name, "is an absolute path");
        String n = name;
        while (n.startsWith("./")) n = n.substring(2);
        String path = n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
        if (path.isEmpty() || path.equals(".")) return "./";
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..")) throw refused(name, "climbs out of the archive with '..'");
            if (segment.isEmpty() || segment.equals(".")) throw refused(name, "has an empty or '.' segment in its name");
        }
        return n;
    }

    static BundleException refused(String name, String why) {
        String shown = name.replaceAll("[^\\x20-\\x7e]", "?");
        if (shown.length() > 200) shown = shown.substring(0, 200) + "…";
        return new BundleException("bundle refused: entry '" + shown + "' " + why);
    }
}
