/* The clocks the probes read: CPU time (this process's, or another's in clock ticks) and a monotonic wall clock. */
#ifndef PROBE_CLOCK_H
#define PROBE_CLOCK_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static inline double cpu_seconds(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

static inline double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* utime + stime of another process (fields 14 and 15 of /proc/PID/stat), in clock ticks; 0 once it is gone. */
static inline unsigned long long process_ticks(int pid) {
    char path[64], line[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = 0;
    /* The command name before the fields may hold spaces and parentheses: count from the last ')'. */
    char *rest = strrchr(line, ')');
    if (!rest) return 0;
    unsigned long long utime = 0, stime = 0;
    int field = 2;
    for (char *tok = strtok(rest + 2, " "); tok; tok = strtok(0, " ")) {
        field++;
        if (field == 14) utime = strtoull(tok, 0, 10);
        if (field == 15) {
            stime = strtoull(tok, 0, 10);
            break;
        }
    }
    return utime + stime;
}
#endif
