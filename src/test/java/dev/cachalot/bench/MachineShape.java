package dev.cachalot.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the numbers were measured on, printed with every result: ratios carry over between machines, absolute
 * numbers only make sense next to these.
 */
record MachineShape(int processors, long memoryMib, String cpu, String os, String jdk, String peerVersion,
                    String commit) {

    static MachineShape current() {
        return new MachineShape(Runtime.getRuntime().availableProcessors(), readMemoryMib(), readCpu(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                firstLine(List.of("/usr/bin/docker-registry", "--version")),
                firstLine(List.of("git", "rev-parse", "--short", "HEAD")));
    }

    String summary() {
        return processors + " CPUs (" + cpu + "), " + memoryMib / 1024 + " GiB RAM, " + os + ", " + jdk;
    }

    private static long readMemoryMib() {
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    private static String readCpu() {
        for (String line : lines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return System.getProperty("os.arch");
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String firstLine(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
                return "unknown";
            }
            return out.lines().findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
