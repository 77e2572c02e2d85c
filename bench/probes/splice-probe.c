/*
 * What would splice(2) save a cold fill? (issue 16, decision record 0045)
 *
 * Java 17 has no splice, so this measures the native route before anyone builds it. A child process serves a file
 * over loopback TCP with sendfile (as Go's docker-registry, the benchmark's upstream, does); the parent receives it
 * into a new file in one of four ways and prints its own CPU per GiB:
 *
 *   rw            read(2) into a 2 MiB buffer, pwrite(2) it: what the engine's fill thread does (the hash then reads
 *                 the same buffer, costing no copy), here at 2 MiB-aligned offsets;
 *   rw-engine     the same after a first write of 32 KiB, so the 2 MiB writes land where the engine's do
 *                 (BlobFills.FIRST_CHUNK), off 2 MiB boundaries;
 *   splice        socket -> pipe -> file, all in the kernel; nothing reaches user space, so nothing could be hashed;
 *   splice+pread  splice as above, then pread(2) of each 2 MiB written back into a buffer: the least a verifying
 *                 cache needs, since SHA-256 has to see the bytes.
 *
 * Loopback only. Build and run (SRC: a file of 1 GiB or more, cached; DST is created and removed each round):
 *   gcc -O2 -o /tmp/splice-probe bench/probes/splice-probe.c
 *   for m in rw rw-engine splice splice+pread; do /tmp/splice-probe SRC $m DST 5; done
 * Round 0 of each run pays for whatever memory the VM handed back to its host (bench/README.md, "Free page
 * reporting"); compare rounds 1 and later for the copies. To see what an idle spell costs, `sleep 8` before a run:
 * `rw`'s round 0 then costs ~6 CPU s per GiB on this VM and `rw-engine`'s ~0.4 (most likely ext4's large folios: a
 * 2 MiB-aligned 2 MiB write gets a 2 MiB block, the size free page reporting hands back to the host; decision record
 * 0045).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe-clock.h"

#define CHUNK (2 << 20)
/* The engine's first write (BlobFills.FIRST_CHUNK), which puts its later 2 MiB writes off 2 MiB boundaries. */
#define ENGINE_FIRST_CHUNK (32 << 10)

/* Where the reads of each page go, so that the compiler keeps them: they stand in for a hash reading the bytes. */
static volatile unsigned long page_reads;

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void serve(int listener, const char *src, long size, int rounds) {
    for (int r = 0; r < rounds; r++) {
        int c = accept(listener, 0, 0);
        int f = open(src, O_RDONLY);
        if (c < 0 || f < 0) die("serve");
        off_t off = 0;
        while (off < size) {
            if (sendfile(c, f, &off, size - off) <= 0) die("sendfile");
        }
        char eof;
        read(c, &eof, 1); /* until the receiver closes */
        close(f);
        close(c);
    }
}

static void touch_pages(const char *bytes, long n) {
    for (long i = 0; i < n; i += 4096) page_reads += bytes[i];
}

/* Returns the bytes received; hashes nothing, but reads back (or touches) what a hash would read. */
static long receive(int s, int f, const char *mode, long size, char *buf) {
    long got = 0;
    if (!strcmp(mode, "rw") || !strcmp(mode, "rw-engine")) {
        int engine = !strcmp(mode, "rw-engine");
        while (got < size) {
            long n = 0, limit = engine && got == 0 ? ENGINE_FIRST_CHUNK : CHUNK;
            while (n < limit && got + n < size) {
                ssize_t k = read(s, buf + n, limit - n);
                if (k <= 0) die("read");
                n += k;
            }
            if (pwrite(f, buf, n, got) != n) die("pwrite");
            touch_pages(buf, n);
            got += n;
        }
        return got;
    }
    int pipefd[2];
    if (pipe(pipefd) < 0) die("pipe");
    fcntl(pipefd[1], F_SETPIPE_SZ, 1 << 20);
    int read_back = !strcmp(mode, "splice+pread");
    long hashed = 0;
    while (got < size) {
        ssize_t k = splice(s, 0, pipefd[1], 0, CHUNK, SPLICE_F_MOVE | SPLICE_F_MORE);
        if (k <= 0) die("splice from the socket");
        for (ssize_t moved = 0; moved < k;) {
            loff_t off = got + moved;
            ssize_t j = splice(pipefd[0], 0, f, &off, k - moved, SPLICE_F_MOVE);
            if (j <= 0) die("splice into the file");
            moved += j;
        }
        got += k;
        while (read_back && (got - hashed >= CHUNK || (got == size && hashed < size))) {
            long want = got - hashed < CHUNK ? got - hashed : CHUNK;
            ssize_t n = pread(f, buf, want, hashed);
            if (n <= 0) die("pread");
            touch_pages(buf, n);
            hashed += n;
        }
    }
    close(pipefd[0]);
    close(pipefd[1]);
    return got;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s SRC rw|rw-engine|splice|splice+pread DST ROUNDS\n", argv[0]);
        return 2;
    }
    const char *src = argv[1], *mode = argv[2], *dst = argv[3];
    int rounds = atoi(argv[4]);
    if (strcmp(mode, "rw") && strcmp(mode, "rw-engine") && strcmp(mode, "splice") && strcmp(mode, "splice+pread")) {
        fprintf(stderr, "unknown way %s: rw, rw-engine, splice or splice+pread\n", mode);
        return 2;
    }
    if (rounds < 1) {
        fprintf(stderr, "ROUNDS must be at least 1, not %s\n", argv[4]);
        return 2;
    }
    struct stat st;
    if (stat(src, &st) < 0) die(src);
    long size = st.st_size;

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listener, (void *)&addr, sizeof addr) < 0 || listen(listener, 4) < 0
            || getsockname(listener, (void *)&addr, &len) < 0) die("listen");
    pid_t child = fork();
    if (child == 0) {
        serve(listener, src, size, rounds);
        _exit(0);
    }
    char *buf = aligned_alloc(4096, CHUNK);
    for (int r = 0; r < rounds; r++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, (void *)&addr, sizeof addr) < 0) die("connect");
        int f = open(dst, O_CREAT | O_TRUNC | O_RDWR, 0644);
        if (f < 0) die(dst);
        double c0 = cpu_seconds(), t0 = now();
        long got = receive(s, f, mode, size, buf);
        double c1 = cpu_seconds(), t1 = now();
        double gib = got / 1073741824.0;
        printf("%s round %d: %.3f CPU s per GiB, %.0f MiB/s\n", mode, r, (c1 - c0) / gib, got / 1048576.0 / (t1 - t0));
        close(f);
        shutdown(s, SHUT_WR);
        close(s);
        unlink(dst);
    }
    waitpid(child, 0, 0);
    return 0;
}
