/*
 * How busy are the two cores while a cold blob streams, and who spends them? (issue 16, decision record 0045)
 *
 * Every PERIOD_MS prints one line: a monotonic time, the cores busy over the period (from /proc/stat), and the cores
 * spent by each process of the benchmark that spent more than 0.05: Cachalot's `serve`, every docker-registry (the
 * upstream and the peer; tell them apart by their config.yml, the peer's has `proxy:`) and the benchmark's JVM, which
 * is the cold fetch's client. New processes are picked up once a second. /proc counts in clock ticks (10 ms), so take
 * means over many samples. Reads /proc only; start it before `mvn -Pbench verify` and stop it with Ctrl-C:
 *   gcc -O2 -o /tmp/core-sampler bench/probes/core-sampler.c && /tmp/core-sampler 100 > cores.log 2> processes.log
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe-clock.h"

#define MAX_PROCESSES 64

static int pids[MAX_PROCESSES];
static const char *names[MAX_PROCESSES];
static unsigned long long last_ticks[MAX_PROCESSES];
static int tracked = 0;

/* The benchmark JVM's class path is long: its main class comes after it. */
static char cmdline[1 << 20];

static const char *role(int pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(cmdline, 1, sizeof cmdline - 1, f);
    fclose(f);
    for (size_t i = 0; i < n; i++) {
        if (!cmdline[i]) cmdline[i] = ' ';
    }
    cmdline[n] = 0;
    if (strstr(cmdline, "dev.cachalot.Main serve") || strstr(cmdline, "cachalot.jar serve")) return "cachalot";
    if (strstr(cmdline, "dev.cachalot.bench.BenchMain")) return "client";
    if (strstr(cmdline, "docker-registry serve")) return "registry";
    return 0;
}

static void look_for_new_processes(void) {
    DIR *proc = opendir("/proc");
    struct dirent *e;
    while ((e = readdir(proc)) && tracked < MAX_PROCESSES) {
        int pid = atoi(e->d_name);
        if (pid <= 0) continue;
        int known = 0;
        for (int i = 0; i < tracked; i++) known |= pids[i] == pid;
        const char *name = known ? 0 : role(pid);
        if (!name) continue;
        pids[tracked] = pid;
        names[tracked] = name;
        last_ticks[tracked] = process_ticks(pid);
        fprintf(stderr, "%d %s: %.200s\n", pid, name, cmdline);
        tracked++;
    }
    closedir(proc);
}

static unsigned long long busy_ticks(void) {
    unsigned long long user, nice, system, idle, iowait, irq, softirq;
    FILE *f = fopen("/proc/stat", "r");
    if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system, &idle, &iowait, &irq,
                     &softirq) != 7) {
        perror("/proc/stat");
        exit(1);
    }
    fclose(f);
    return user + nice + system + irq + softirq;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PERIOD_MS\n", argv[0]);
        return 2;
    }
    int period_ms = atoi(argv[1]);
    if (period_ms < 10 || period_ms > 1000) {
        fprintf(stderr, "PERIOD_MS must be 10 to 1000 (/proc counts in 10 ms ticks), not %s\n", argv[1]);
        return 2;
    }
    double hz = sysconf(_SC_CLK_TCK);
    unsigned long long last_busy = busy_ticks();
    double last_time = now();
    for (int sample = 0;; sample++) {
        if (sample % (1000 / period_ms + 1) == 0) look_for_new_processes();
        usleep(period_ms * 1000);
        unsigned long long busy = busy_ticks();
        double t = now(), seconds = t - last_time;
        printf("%.2f busy %.2f", t, (busy - last_busy) / hz / seconds);
        for (int i = 0; i < tracked; i++) {
            unsigned long long spent = process_ticks(pids[i]);
            if (spent >= last_ticks[i] && spent > 0) {
                double cores = (spent - last_ticks[i]) / hz / seconds;
                if (cores > 0.05) printf(" %d:%s:%.2f", pids[i], names[i], cores);
            }
            last_ticks[i] = spent;
        }
        printf("\n");
        fflush(stdout);
        last_busy = busy;
        last_time = t;
    }
}
