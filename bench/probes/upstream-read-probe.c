/*
 * Does the way a cache reads the upstream's socket change what the upstream spends? (issue 16, decision record 0045)
 *
 * In workload 2 the upstream docker-registry spent more CPU per GiB while it served Cachalot's cold fetches than the
 * peer's. This client fetches one blob from a running docker-registry over loopback HTTP/1.1, reads the body in
 * CHUNK_KIB pieces (blocking reads, or non-blocking ones with poll(2) as the engine's fill thread does) and writes
 * each piece to a new file, and prints its own CPU per GiB beside the registry's (from /proc/REGISTRY_PID/stat).
 *
 * Loopback only. Build and run:
 *   gcc -O2 -o /tmp/upstream-read-probe bench/probes/upstream-read-probe.c
 *   /tmp/upstream-read-probe PORT /v2/NAME/blobs/sha256:... blk|nb CHUNK_KIB REGISTRY_PID ROUNDS DST
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe-clock.h"

static double process_cpu_seconds(int pid) {
    unsigned long long ticks = process_ticks(pid);
    if (ticks == 0) {
        fprintf(stderr, "no process %d\n", pid);
        exit(1);
    }
    return ticks / (double)sysconf(_SC_CLK_TCK);
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: %s PORT PATH blk|nb CHUNK_KIB REGISTRY_PID ROUNDS DST\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]), nonblocking = !strcmp(argv[3], "nb"), registry = atoi(argv[5]);
    int rounds = atoi(argv[6]);
    const char *path = argv[2], *dst = argv[7];
    long chunk = atol(argv[4]) << 10;
    if ((strcmp(argv[3], "blk") && strcmp(argv[3], "nb")) || chunk <= 0 || rounds < 1) {
        fprintf(stderr, "reads are blk or nb, CHUNK_KIB and ROUNDS at least 1 (got %s, %s, %s)\n", argv[3], argv[4],
                argv[6]);
        return 2;
    }
    char *buf = aligned_alloc(4096, chunk);
    for (int r = 0; r < rounds; r++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr = {0};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(s, (void *)&addr, sizeof addr) < 0) {
            perror("connect");
            return 1;
        }
        char request[1024];
        int len = snprintf(request, sizeof request,
                "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n", path, port);
        if (write(s, request, len) != len) return 1;
        char head[8192];
        int have = 0;
        char *end = 0;
        while (!end) {
            int k = read(s, head + have, sizeof head - 1 - have);
            if (k <= 0) {
                fprintf(stderr, "no response head\n");
                return 1;
            }
            have += k;
            head[have] = 0;
            end = strstr(head, "\r\n\r\n");
        }
        char *length = strcasestr(head, "content-length:");
        if (strncmp(head, "HTTP/1.1 200", 12) || !length) {
            fprintf(stderr, "unexpected response: %.80s\n", head);
            return 1;
        }
        long size = atol(length + 15);
        int f = open(dst, O_CREAT | O_TRUNC | O_RDWR, 0644);
        long got = have - (end + 4 - head);
        if (got > 0) pwrite(f, end + 4, got, 0);
        if (nonblocking) fcntl(s, F_SETFL, O_NONBLOCK);
        double c0 = cpu_seconds(), r0 = process_cpu_seconds(registry), t0 = now();
        long reads = 0;
        while (got < size) {
            long n = 0;
            while (n < chunk && got + n < size) {
                long want = chunk - n < size - got - n ? chunk - n : size - got - n;
                ssize_t k = read(s, buf + n, want);
                reads++;
                if (k < 0 && nonblocking) {
                    struct pollfd pf = {s, POLLIN, 0};
                    poll(&pf, 1, 10000);
                    continue;
                }
                if (k <= 0) {
                    fprintf(stderr, "body ended at %ld of %ld bytes\n", got + n, size);
                    return 1;
                }
                n += k;
            }
            pwrite(f, buf, n, got);
            got += n;
        }
        double c1 = cpu_seconds(), r1 = process_cpu_seconds(registry), t1 = now();
        double gib = got / 1073741824.0;
        printf("%s %ld KiB: client %.3f CPU s per GiB, registry %.3f, %.0f MiB/s, %.1f reads per MiB\n", argv[3],
                chunk >> 10, (c1 - c0) / gib, (r1 - r0) / gib, got / 1048576.0 / (t1 - t0), reads / (got / 1048576.0));
        close(f);
        close(s);
        unlink(dst);
    }
    return 0;
}
