/* SPDX-License-Identifier: MIT */
#include "config.h"
#include "common.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sockios.h>

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76  /* Linux 6.5; newer than some C libraries' headers */
#endif

char ns_sentinel_byte;

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

bool ns_fd_has_nonblock(int fd) {
        int fl = fcntl(fd, F_GETFL);

        ck_assert_int_ge(fl, 0);
        return (fl & O_NONBLOCK) != 0;
}

int ns_lowest_free_fd(void) {
        int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);

        ck_assert_int_ge(fd, 0);
        close(fd);
        return fd;
}

bool ns_same_file(int a, int b) {
        struct stat sa, sb;

        return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
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

void ns_keep(char *dst, size_t size, const char *src) {
        ck_assert_int_lt(snprintf(dst, size, "%s", src), (int) size);
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

/* ---- files and Unix sockets ---------------------------------------------- */

bool ns_path_exists(const char *path) {
        struct stat st;

        return lstat(path, &st) == 0;
}

bool ns_is_socket_file(const char *path) {
        struct stat st;

        return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

ino_t ns_inode_of(const char *path) {
        struct stat st;

        ck_assert_int_eq(lstat(path, &st), 0);
        return st.st_ino;
}

int ns_unix_bound_socket(const char *path, int type) {
        struct sockaddr_un sun;
        int fd = socket(AF_UNIX, type, 0);

        ck_assert_int_ge(fd, 0);
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        ck_assert_uint_lt(strlen(path), sizeof(sun.sun_path));
        strcpy(sun.sun_path, path);
        ck_assert_int_eq(bind(fd, (struct sockaddr *) &sun, sizeof(sun)), 0);
        return fd;
}

void ns_make_stale_socket_file(const char *path, int type) {
        ck_assert_int_eq(close(ns_unix_bound_socket(path, type | SOCK_CLOEXEC)), 0);
}

int ns_listening_unix_socket(int type) {
        sa_family_t fam = AF_UNIX;
        int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

        ck_assert_int_ge(fd, 0);
        /* An address of just the family autobinds an abstract name. */
        ck_assert_int_eq(bind(fd, (struct sockaddr *) &fam, sizeof(fam)), 0);
        ck_assert_int_eq(listen(fd, 4), 0);
        return fd;
}

/* ---- addresses and TCP ----------------------------------------------------- */

int ns_format_addr(const struct netsock_addr *a, char *buf, size_t size) {
        int n = netsock_addr_format(a, buf, size);

        ck_assert_int_ge(n, 0);
        ck_assert_int_lt(n, (int) size);
        return n;
}

struct netsock_addr ns_parse_addr(const char *text) {
        struct netsock_addr a;

        memset(&a, 0, sizeof(a));
        ck_assert_int_eq(netsock_addr_parse(&a, text), 0);
        return a;
}

struct netsock_tcp_listener *ns_tcp_listen(const char *text, int flags, struct netsock_addr *ret_addr) {
        struct netsock_addr a = ns_parse_addr(text);
        struct netsock_tcp_listener *l = NULL;

        ck_assert_int_eq(netsock_tcp_listener_bind(&a, flags, &l), 0);
        ck_assert_ptr_nonnull(l);
        ck_assert_int_eq(netsock_tcp_listener_local_addr(l, ret_addr), 0);
        ck_assert_int_gt(netsock_addr_port(ret_addr), 0);
        return l;
}

void ns_tcp_pair(const char *text, struct netsock_tcp_stream **client, struct netsock_tcp_stream **server) {
        struct netsock_addr a;
        struct netsock_tcp_listener *l = ns_tcp_listen(text, 0, &a);

        ck_assert_int_eq(netsock_tcp_stream_connect(&a, 0, client), 0);
        ck_assert_int_eq(netsock_tcp_listener_accept(l, 0, server, NULL), 0);
        netsock_tcp_listener_close(l);
}

void ns_assert_tcp_transfer(struct netsock_tcp_stream *from, struct netsock_tcp_stream *to, const char *msg) {
        char buf[128];
        size_t n = strlen(msg);

        ck_assert_uint_lt(n, sizeof(buf));
        ck_assert_int_eq(netsock_tcp_stream_send(from, msg, n), (ssize_t) n);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(to, buf, n), (ssize_t) n);
        ck_assert_mem_eq(buf, msg, n);
}

struct netsock_addr ns_tcp_closed_port(void) {
        struct netsock_addr a;

        netsock_tcp_listener_close(ns_tcp_listen("127.0.0.1:0", 0, &a));
        return a;
}

/* ---- time, waiting, pipes ------------------------------------------------- */

long long ns_now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long ns_elapsed_ms(long long since) {
        return ns_now_ms() - since;
}

void ns_sleep_ms(long ms) {
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

short ns_poll_fd(int fd, short events, int timeout_ms) {
        struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
        int n;

        do
                n = poll(&p, 1, timeout_ms);
        while (n < 0 && errno == EINTR);
        ck_assert_int_ge(n, 0);
        return n ? p.revents : 0;
}

void ns_wait_bytes(int fd, int n) {
        long long end = ns_now_ms() + 2000;
        int q = 0;

        for (;;) {
                ck_assert_int_eq(ioctl(fd, SIOCINQ, &q), 0);
                if (q >= n)
                        return;
                ck_assert_msg(ns_now_ms() < end, "only %d of %d bytes arrived", q, n);
                (void) ns_poll_fd(fd, POLLIN, 10);
                ns_sleep_ms(1);
        }
}

void ns_assert_pipe_link(int write_end, int read_end, const char *msg) {
        char buf[64];
        size_t n = strlen(msg);

        ck_assert_int_eq(write(write_end, msg, n), (ssize_t) n);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(read(read_end, buf, sizeof(buf)), (ssize_t) n);
        ck_assert_mem_eq(buf, msg, n);
}

/* ---- processes, signals, credentials ---------------------------------------- */

bool ns_have_unix_option(int optname) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;
        bool ok;

        ck_assert_int_ge(fd, 0);
        ok = setsockopt(fd, SOL_SOCKET, optname, &on, sizeof(on)) == 0;
        close(fd);
        return ok;
}

bool ns_have_passpidfd(void) {
        return ns_have_unix_option(SO_PASSPIDFD);
}

/* The "Pid:" line of a pidfd's /proc/self/fdinfo entry. */
long ns_pidfd_pid(int pidfd) {
        char path[64], line[256];
        long pid = -2;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
        f = fopen(path, "re");
        ck_assert_ptr_nonnull(f);
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "Pid: %ld", &pid) == 1)
                        break;
        fclose(f);
        return pid;
}

bool ns_fd_is_anon(int fd, const char *what) {
        char path[64], target[128];
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        n = readlink(path, target, sizeof(target) - 1);
        if (n < 0)
                return false;
        target[n] = '\0';
        return strcmp(target, what) == 0;
}

bool ns_is_pidfd(int fd) {
        return ns_fd_is_anon(fd, "anon_inode:[pidfd]");
}

void ns_assert_child_ok(pid_t pid) {
        int status = 0;

        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status), "child did not exit normally (status 0x%x)", status);
        ck_assert_int_eq(WEXITSTATUS(status), 0);
}

void ns_assert_sigpipe_is_fatal(void) {
        struct sigaction sa;
        sigset_t blocked;

        ck_assert_int_eq(sigaction(SIGPIPE, NULL, &sa), 0);
        ck_assert(sa.sa_handler == SIG_DFL);
        ck_assert_int_eq(sigprocmask(SIG_BLOCK, NULL, &blocked), 0);
        ck_assert(!sigismember(&blocked, SIGPIPE));
}

void ns_assert_own_creds(const struct netsock_creds *c) {
        ck_assert_int_eq(c->pid, getpid());
        ck_assert_uint_eq(c->uid, getuid());
        ck_assert_uint_eq(c->gid, getgid());
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig) {
        (void) sig;
        alarms++;
}

void ns_arm_alarm(long first_ms, long every_ms) {
        struct sigaction sa;
        struct itimerval it;

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_alarm;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;
        ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
        memset(&it, 0, sizeof(it));
        it.it_value.tv_sec = first_ms / 1000;
        it.it_value.tv_usec = (first_ms % 1000) * 1000;
        it.it_interval.tv_sec = every_ms / 1000;
        it.it_interval.tv_usec = (every_ms % 1000) * 1000;
        alarms = 0;
        ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
}

void ns_disarm_alarm(void) {
        struct itimerval it;

        memset(&it, 0, sizeof(it));
        ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
        signal(SIGALRM, SIG_DFL);
}

int ns_alarms(void) {
        return alarms;
}

void ns_thread_start_without_sigalrm(pthread_t *t, void *(*fn)(void *), void *arg) {
        sigset_t block, old;

        sigemptyset(&block);
        sigaddset(&block, SIGALRM);
        ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, &block, &old), 0);
        ck_assert_int_eq(pthread_create(t, NULL, fn, arg), 0);
        ck_assert_int_eq(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
}

/* ---- system limits ------------------------------------------------------------ */

long ns_sysctl_long(const char *path, long fallback) {
        FILE *f = fopen(path, "re");
        long v;

        if (!f)
                return fallback;
        if (fscanf(f, "%ld", &v) != 1)
                v = fallback;
        fclose(f);
        return v;
}

void ns_raise_nofile_limit(unsigned long want) {
        struct rlimit rl;

        ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
        if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
                rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
        }
}

/* ---- byte patterns and forked trickling peers ------------------------------- */

unsigned char ns_pattern_byte(size_t i) {
        return (unsigned char) ((i * 7 + i / 251 + 3) & 0xff);
}

void ns_fill_pattern(unsigned char *buf, size_t len) {
        size_t i;

        for (i = 0; i < len; i++)
                buf[i] = ns_pattern_byte(i);
}

void ns_assert_pattern(const unsigned char *buf, size_t len) {
        size_t i;

        for (i = 0; i < len; i++)
                if (buf[i] != ns_pattern_byte(i))
                        ck_abort_msg("byte %zu is %u, expected %u", i, buf[i], ns_pattern_byte(i));
}

/* The children report through their exit status only: they never call
 * ck_assert (the parent's ns_assert_child_ok judges them). */
static unsigned char trickle_buf[65536];

static void trickle_pause(const struct ns_trickle *t, unsigned calls) {
        if (t->pause_every && calls % t->pause_every == 0)
                ns_sleep_ms(t->pause_ms);
}

/* Forks; the child (0 returned) first closes close_fd and waits t->delay_ms. */
static pid_t trickle_fork(int close_fd, const struct ns_trickle *t) {
        pid_t pid;

        ck_assert_uint_le(t->chunk, sizeof(trickle_buf));
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                if (close_fd >= 0)
                        close(close_fd);
                ns_sleep_ms(t->delay_ms);
        }
        return pid;
}

/* read(2) or write(2) once, through EINTR. */
static ssize_t io_once(int fd, unsigned char *buf, size_t len, bool writing) {
        ssize_t r;

        do
                r = writing ? write(fd, buf, len) : read(fd, buf, len);
        while (r < 0 && errno == EINTR);
        return r;
}

/* The reading child: its exit status. */
static int read_pattern(int fd, const struct ns_trickle *t) {
        size_t got = 0, i;
        unsigned reads = 0;
        ssize_t n;

        while ((n = io_once(fd, trickle_buf, t->chunk, false)) > 0) {
                for (i = 0; i < (size_t) n; i++)
                        if (got + i >= t->len || trickle_buf[i] != ns_pattern_byte(got + i))
                                return 3;
                got += (size_t) n;
                trickle_pause(t, ++reads);
        }
        if (n < 0)
                return 2;
        return got == t->len ? 0 : 4;
}

pid_t ns_fork_pattern_reader(int rfd, int close_fd, const struct ns_trickle *t) {
        pid_t pid = trickle_fork(close_fd, t);

        if (pid == 0)
                _exit(read_pattern(rfd, t));
        return pid;
}

/* All of buf, through short writes. */
static bool write_all(int fd, const unsigned char *buf, size_t len) {
        while (len > 0) {
                ssize_t w = io_once(fd, (unsigned char *) buf, len, true);

                if (w < 0)
                        return false;
                buf += w;
                len -= (size_t) w;
        }
        return true;
}

/* The writing child: its exit status. */
static int write_pattern(int fd, const struct ns_trickle *t) {
        size_t sent = 0, i;
        unsigned writes = 0;

        while (sent < t->len) {
                size_t n = t->len - sent < t->chunk ? t->len - sent : t->chunk;

                for (i = 0; i < n; i++)
                        trickle_buf[i] = ns_pattern_byte(sent + i);
                if (!write_all(fd, trickle_buf, n))
                        return 2;
                sent += n;
                trickle_pause(t, ++writes);
        }
        if (t->tail && !write_all(fd, (const unsigned char *) t->tail, strlen(t->tail)))
                return 2;
        return 0;
}

pid_t ns_fork_pattern_writer(int wfd, int close_fd, const struct ns_trickle *t) {
        pid_t pid = trickle_fork(close_fd, t);

        if (pid == 0)
                _exit(write_pattern(wfd, t));
        return pid;
}

/* ---- running --------------------------------------------------------------------- */

int ns_run_suite(Suite *s) {
        SRunner *sr = srunner_create(s);
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Whether [::1] can be bound here (a host without IPv6 skips the v6 cases). */
bool ns_have_ipv6(void) {
        struct netsock_tcp_listener *l = NULL;
        struct netsock_addr a = ns_parse_addr("[::1]:0");
        int r;

        r = netsock_tcp_listener_bind(&a, 0, &l);
        if (r == 0) {
                netsock_tcp_listener_close(l);
                return true;
        }
        ck_assert_msg(r == -EADDRNOTAVAIL || r == -EAFNOSUPPORT, "bind [::1]:0: %d", r);
        return false;
}

/* Fills the accept queue of a backlog-0 listener (see common.h). */
void ns_full_listener_open(struct ns_full_listener *f) {
        struct netsock_tcp_socket *s = NULL;
        struct netsock_addr a = ns_parse_addr("127.0.0.1:0");

        memset(f, 0, sizeof(*f));
        ck_assert_int_eq(netsock_tcp_socket_new_v4(0, &s), 0);
        ck_assert_int_eq(netsock_tcp_socket_bind(s, &a), 0);
        ck_assert_int_eq(netsock_tcp_socket_listen(s, 0, &f->l), 0);
        ck_assert_int_eq(netsock_tcp_listener_local_addr(f->l, &f->addr), 0);
        while (f->nfill < 8) {
                struct netsock_tcp_stream *c = NULL;

                ck_assert_int_eq(netsock_tcp_stream_connect(&f->addr, NETSOCK_NONBLOCK, &c), 0);
                if (!(ns_poll_fd(netsock_tcp_stream_fd(c), POLLOUT, 200) & POLLOUT)) {
                        f->pending = c;
                        return;
                }
                ck_assert_int_eq(netsock_tcp_stream_finish_connect(c), 0);
                f->fill[f->nfill++] = c;
        }
        ck_abort_msg("the accept queue of a backlog-0 listener never filled");
}

void ns_full_listener_close(struct ns_full_listener *f) {
        int i;

        netsock_tcp_stream_close(f->pending);
        for (i = 0; i < f->nfill; i++)
                netsock_tcp_stream_close(f->fill[i]);
        netsock_tcp_listener_close(f->l);
}
