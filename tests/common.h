/* SPDX-License-Identifier: MIT */
/*
 * Shared test scaffolding.  Every test case runs inside ns_tcase(), whose
 * checked fixture records the open fds before the test and fails the test
 * if any fd is open afterwards that was not open before.
 *
 * The helpers below are the ones more than one suite needs.  Those that
 * assert (ck_assert) do so on the test's own set-up, so a failing helper
 * fails the test that called it; forked children never call them.
 */
#ifndef NS_TESTS_COMMON_H
#define NS_TESTS_COMMON_H

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <netsock.h>

/* One mebibyte, the unit of the bulk-transfer tests. */
#define NS_MIB (1024 * 1024)

/* A handle pointer no call returns, to prove an out-parameter untouched
 * (never dereferenced: the handle types are opaque). */
extern char ns_sentinel_byte;
#define NS_SENTINEL(T) ((struct T *) (void *) &ns_sentinel_byte)

/* A TCase with the fd-leak fixture, added to suite s. */
TCase *ns_tcase(Suite *s, const char *name);

/* Number of open fds and whether fd is open. */
int  ns_count_fds(void);
bool ns_fd_is_open(int fd);
bool ns_fd_has_cloexec(int fd);
/* O_NONBLOCK as fcntl(F_GETFL) sees it, independently of the library. */
bool ns_fd_has_nonblock(int fd);
/* The fd number the next open would get. */
int ns_lowest_free_fd(void);
/* Whether two fds refer to the same open file (same device and inode). */
bool ns_same_file(int a, int b);

/* A fresh private directory (mkdtemp) and paths inside it; removed with
 * everything in it at the end of the test by the fixture. */
const char *ns_tmpdir(void);
/* ns_tmpdir() + "/" + name, in a static buffer per call slot (4 slots). */
const char *ns_tmppath(const char *name);
/* "@netsock-test-<pid>-<random>-<tag>": an abstract name nobody else uses. */
const char *ns_abstract_name(const char *tag);
/* A copy of a static-buffer path or name that later calls cannot clobber. */
void ns_keep(char *dst, size_t size, const char *src);

/* Whether something exists at path (lstat). */
bool ns_path_exists(const char *path);
/* Whether path is a socket file (lstat). */
bool ns_is_socket_file(const char *path);
/* The inode number of path (asserts that lstat works). */
ino_t ns_inode_of(const char *path);

/* A raw AF_UNIX socket of type (SOCK_* flags included) bound to path. */
int ns_unix_bound_socket(const char *path, int type);
/* A socket file of type nobody listens on: what a server that died
 * without unlinking leaves behind. */
void ns_make_stale_socket_file(const char *path, int type);
/* A raw listening AF_UNIX socket of type, autobound to an abstract name. */
int ns_listening_unix_socket(int type);

/* netsock_addr_format into buf, asserting 0 <= result < size; the result. */
int ns_format_addr(const struct netsock_addr *a, char *buf, size_t size);
/* netsock_addr_parse of text, asserting that it succeeds. */
struct netsock_addr ns_parse_addr(const char *text);

/* A TCP listener bound to text (port 0), with flags; its address in *ret_addr. */
struct netsock_tcp_listener *ns_tcp_listen(const char *text, int flags, struct netsock_addr *ret_addr);
/* A TCP pair over a listener on text: *client connected, *server accepted. */
void ns_tcp_pair(const char *text, struct netsock_tcp_stream **client, struct netsock_tcp_stream **server);
/* Sends msg on one TCP stream and receives exactly those bytes on the other. */
void ns_assert_tcp_transfer(struct netsock_tcp_stream *from, struct netsock_tcp_stream *to, const char *msg);
/* A 127.0.0.1 address whose port nobody listens on: one a listener held
 * and gave back. */
struct netsock_addr ns_tcp_closed_port(void);

/* Whether [::1] can be bound here (a host without IPv6 skips the v6 cases). */
bool ns_have_ipv6(void);
/* A listener (listen backlog 0) whose accept queue is full: connections
 * that completed the handshake sit in it unaccepted, so the SYN of any
 * further connect is dropped and that connect stays pending. */
struct ns_full_listener {
        struct netsock_tcp_listener *l;
        struct netsock_addr addr;
        struct netsock_tcp_stream *fill[8];
        int nfill;
        struct netsock_tcp_stream *pending;  /* a nonblocking connect left in SYN_SENT */
};
void ns_full_listener_open(struct ns_full_listener *f);
void ns_full_listener_close(struct ns_full_listener *f);

/* Milliseconds on the monotonic clock, and the time since an earlier value. */
long long ns_now_ms(void);
long long ns_elapsed_ms(long long since);
/* Sleeps ms milliseconds, through signals. */
void ns_sleep_ms(long ms);

/* poll(2) for one fd, retrying on EINTR; its revents (0 on timeout). */
short ns_poll_fd(int fd, short events, int timeout_ms);
/* Waits (at most 2 s) until at least n bytes are queued for reading on fd,
 * with poll(2) and SIOCINQ only (a netsock_poll is left alone). */
void ns_wait_bytes(int fd, int n);
/* Writes msg into write_end and reads exactly it from read_end. */
void ns_assert_pipe_link(int write_end, int read_end, const char *msg);

/* Whether setsockopt(SOL_SOCKET, optname, 1) works on an AF_UNIX socket
 * here: the running kernel knows the option. */
bool ns_have_unix_option(int optname);
/* Whether the running kernel has SO_PASSPIDFD (Linux 6.5). */
bool ns_have_passpidfd(void);
/* The "Pid:" line of a pidfd's /proc/self/fdinfo entry (-1 once the
 * process is reaped); -2 when there is none. */
long ns_pidfd_pid(int pidfd);
/* Whether fd's /proc/self/fd link is what ("anon_inode:[eventfd]"). */
bool ns_fd_is_anon(int fd, const char *what);
/* Whether fd is a pidfd (its /proc/self/fd link says anon_inode:[pidfd]). */
bool ns_is_pidfd(int fd);

/* Waits for a forked helper and asserts that it exited with status 0. */
void ns_assert_child_ok(pid_t pid);
/* Asserts that SIGPIPE is at SIG_DFL and not blocked: one raised by a send
 * would kill the test. */
void ns_assert_sigpipe_is_fatal(void);
/* Asserts that c names this process (pid, uid and gid). */
void ns_assert_own_creds(const struct netsock_creds *c);

/* SIGALRM without SA_RESTART after first_ms, then every every_ms (0: once);
 * resets the count of alarms taken. */
void ns_arm_alarm(long first_ms, long every_ms);
/* Stops the timer and puts SIGALRM back to SIG_DFL. */
void ns_disarm_alarm(void);
/* How many SIGALRMs arrived since ns_arm_alarm. */
int ns_alarms(void);
/* pthread_create with SIGALRM blocked in the new thread, so that the
 * alarms interrupt the calling thread only. */
void ns_thread_start_without_sigalrm(pthread_t *t, void *(*fn)(void *), void *arg);

/* The number a /proc/sys file holds, or fallback when it cannot be read. */
long ns_sysctl_long(const char *path, long fallback);
/* Raises RLIMIT_NOFILE towards want where the hard limit allows (best effort). */
void ns_raise_nofile_limit(unsigned long want);

/* The test byte pattern: byte i of a transfer (not periodic in 256). */
unsigned char ns_pattern_byte(size_t i);
/* Fills buf with ns_pattern_byte(0 .. len-1). */
void ns_fill_pattern(unsigned char *buf, size_t len);
/* Asserts that buf holds ns_pattern_byte(0 .. len-1). */
void ns_assert_pattern(const unsigned char *buf, size_t len);

/* How a forked child moves pattern bytes through a socket fd. */
struct ns_trickle {
        size_t len;           /* pattern bytes to move */
        size_t chunk;         /* at most this many per read or write (<= 64 KiB) */
        unsigned pause_every; /* pause after every this many calls (0: never) */
        long pause_ms;        /* length of that pause */
        long delay_ms;        /* wait before the first call */
        const char *tail;     /* writer: these bytes after the pattern, or NULL */
};

/* Forks a child that closes close_fd (if >= 0) and reads rfd until EOF as
 * t says; it exits 0 only if it got exactly t->len pattern bytes. */
pid_t ns_fork_pattern_reader(int rfd, int close_fd, const struct ns_trickle *t);
/* Forks a child that closes close_fd (if >= 0), writes t->len pattern
 * bytes and then t->tail to wfd as t says, and exits 0 if all went out. */
pid_t ns_fork_pattern_writer(int wfd, int close_fd, const struct ns_trickle *t);

/* Runs the suite made by make_suite and exits with the test result. */
int ns_run_suite(Suite *s);

#define NS_TEST_MAIN(make_suite) \
        int main(void) { return ns_run_suite(make_suite()); }

#endif
