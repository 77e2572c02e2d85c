/* The clocks both probes read: this process's CPU time (user and system) and a monotonic wall clock, in seconds. */
#ifndef PROBE_CLOCK_H
#define PROBE_CLOCK_H
#include <sys/resource.h>
#include <time.h>

static double cpu_seconds(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}
#endif
