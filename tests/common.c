/* SPDX-License-Identifier: MIT */
#include "config.h"
#include "common.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fds_before;
static char fdmap_before[1024];
static char tmpdir[256];

static void snapshot(char *map, size_t size) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        int self;

        memset(map, 0, size);
        if (!d)
                return;
        self = dirfd(d);
        while ((e = readdir(d))) {
                int fd = atoi(e->d_name);

                if (e->d_name[0] == '.' || fd == self)
                        continue;
                if ((size_t) fd < size)
                        map[fd] = 1;
        }
        closedir(d);
}

int ns_count_fds(void) {
        char map[1024];
        int i, n = 0;

        snapshot(map, sizeof(map));
        for (i = 0; i < (int) sizeof(map); i++)
                n += map[i];
        return n;
}

bool ns_fd_is_open(int fd) {
        return fcntl(fd, F_GETFD) >= 0;
}

bool ns_fd_has_cloexec(int fd) {
        int fl = fcntl(fd, F_GETFD);

        return fl >= 0 && (fl & FD_CLOEXEC);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st; (void) flag; (void) ftw;
        return remove(path);
}

const char *ns_tmpdir(void) {
        if (!tmpdir[0]) {
                const char *base = getenv("TMPDIR");

                snprintf(tmpdir, sizeof(tmpdir), "%s/netsock-test-XXXXXX", base && *base ? base : "/tmp");
                ck_assert_ptr_nonnull(mkdtemp(tmpdir));
        }
        return tmpdir;
}

const char *ns_tmppath(const char *name) {
        static char bufs[4][512];
        static unsigned slot;
        char *b = bufs[slot++ % 4];

        snprintf(b, 512, "%s/%s", ns_tmpdir(), name);
        return b;
}

const char *ns_abstract_name(const char *tag) {
        static char bufs[4][128];
        static unsigned slot;
        char *b = bufs[slot++ % 4];
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        snprintf(b, 128, "@netsock-test-%ld-%lx-%s", (long) getpid(),
                 (unsigned long) ts.tv_nsec ^ (unsigned long) random(), tag);
        return b;
}

/* A failing assertion ends the forked test process through exit(), which
 * skips the teardown: remove the test's directory from an exit handler. */
static void remove_tmpdir(void) {
        if (tmpdir[0]) {
                nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
                tmpdir[0] = '\0';
        }
}

static void leak_setup(void) {
        static bool registered;

        if (!registered) {
                atexit(remove_tmpdir);
                registered = true;
        }
        /* A test that writes to a closed peer must get -EPIPE, not die. */
        signal(SIGPIPE, SIG_DFL);
        tmpdir[0] = '\0';
        srandom((unsigned) time(NULL) ^ (unsigned) getpid());
        snapshot(fdmap_before, sizeof(fdmap_before));
        fds_before = ns_count_fds();
}

static void leak_teardown(void) {
        char now[1024];
        int i;

        remove_tmpdir();
        snapshot(now, sizeof(now));
        for (i = 0; i < (int) sizeof(now); i++)
                ck_assert_msg(!now[i] || fdmap_before[i], "fd %d leaked by the test", i);
}

TCase *ns_tcase(Suite *s, const char *name) {
        TCase *tc = tcase_create(name);

        tcase_add_checked_fixture(tc, leak_setup, leak_teardown);
        tcase_set_timeout(tc, 60);
        suite_add_tcase(s, tc);
        return tc;
}

int ns_run_suite(Suite *s) {
        SRunner *sr = srunner_create(s);
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
