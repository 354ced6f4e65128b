/* SPDX-License-Identifier: MIT */
/*
 * The close-on-exec audit's witness (tests/test-cloexec.c execs it): lists
 * every fd open in this process other than 0, 1 and 2, one per line on
 * stderr with what it refers to, and exits 1 if there is any, 0 if none,
 * 2 if /proc/self/fd cannot be read.
 *
 * Fds at or above the soft RLIMIT_NOFILE are not counted: no ordinary fd
 * can be there, and it is where valgrind keeps its own (it lowers the
 * limit the program sees and works above it), so the audit also runs
 * under `make check-valgrind`.  There valgrind 3.19 also leaves the log
 * file it opens for a forked child open, at a low number and without
 * FD_CLOEXEC: tests/valgrind-test.sh names its log directory in
 * NS_VALGRIND_LOGS, and files in it are not counted either.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void) {
        struct rlimit rl;
        struct dirent *e;
        DIR *d = opendir("/proc/self/fd");
        const char *vg = getenv("NS_VALGRIND_LOGS");
        int open_fds = 0;

        if (!d || getrlimit(RLIMIT_NOFILE, &rl) < 0) {
                perror("list-fds");
                return 2;
        }
        while ((e = readdir(d))) {
                char link[64], target[256];
                ssize_t n;
                int fd;

                if (e->d_name[0] == '.')
                        continue;
                fd = atoi(e->d_name);
                if (fd <= 2 || fd == dirfd(d) || (rl.rlim_cur != RLIM_INFINITY && (rlim_t) fd >= rl.rlim_cur))
                        continue;
                snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
                n = readlink(link, target, sizeof(target) - 1);
                target[n < 0 ? 0 : n] = '\0';
                if (vg && *vg && strncmp(target, vg, strlen(vg)) == 0 && target[strlen(vg)] == '/')
                        continue;
                fprintf(stderr, "list-fds: fd %d is open across exec: %s\n", fd, target);
                open_fds++;
        }
        closedir(d);
        return open_fds ? 1 : 0;
}
