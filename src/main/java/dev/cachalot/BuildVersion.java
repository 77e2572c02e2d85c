package dev.cachalot;

/**
 * The version of this build, from the jar manifest's {@code Implementation-Version} (Maven writes the POM's version
 * there when it shades the jar), or {@code dev} when run from classes (tests, an IDE). One source for everything
 * that names the version: {@code cachalot --version}, the User-Agent sent upstream, the packages.
 */
public final class BuildVersion {
    private static final String VERSION = read();

    private BuildVersion() {
    }

    public static String current() {
        return VERSION;
    }

    /** What Cachalot calls itself on the wire, {@code cachalot/0.1.0}: upstream operators see who is pulling. */
    public static String userAgent() {
        return "cachalot/" + VERSION;
    }

    private static String read() {
        String version = BuildVersion.class.getPackage().getImplementationVersion();
        return version == null || version.isBlank() ? "dev" : version;
    }
}
