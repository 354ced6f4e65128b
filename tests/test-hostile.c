/* SPDX-License-Identifier: MIT */
/*
 * Hostile input and hard conditions: peers and service managers that set
 * options the program never sees, hand-filled structs, signals, forks and
 * racing servers.  Each case here is the regression test of a defect that
 * was found by probing the library from outside; every one of them failed
 * before its fix.
 */
#include "config.h"
#include "common.h"
#include "internal.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers ----------------------------------------------------------------- */

static void send_one_byte_with_fd(struct netsock_unix_stream *s, int fd) {
        ck_assert_int_eq(netsock_unix_stream_send_fds(s, "x", 1, &fd, 1), 1);
}

/* ---- 1. pidfds that arrive without being asked for --------------------------- */

/* SO_PASSPIDFD set behind the program's back (systemd's PassPIDFD=):
 * 200 receives of every kind leave no pidfd open. */
START_TEST(passpidfd_on_receiver_leaks_no_fd_in_200_receives) {
        struct netsock_unix_stream *a, *b;
        int i, before, on = 1;
        char buf[8];

        if (!ns_have_passpidfd())
                return;
        ck_assert_int_eq(netsock_unix_stream_pair(0, &a, &b), 0);
        ck_assert_int_eq(setsockopt(netsock_unix_stream_fd(b), SOL_SOCKET, SO_PASSPIDFD, &on, sizeof(on)), 0);
        before = ns_count_fds();
        for (i = 0; i < 200; i++) {
                int fds[4];
                size_t nfds = 4;
                unsigned flags = 99;
                struct iovec iov = { buf, sizeof(buf) };

                ck_assert_int_eq(netsock_unix_stream_send(a, "ab", 2), 2);
                switch (i % 4) {
                case 0:
                        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, buf, sizeof(buf), fds, &nfds, &flags), 2);
                        ck_assert_uint_eq(nfds, 0);
                        ck_assert_uint_eq(flags, 0);
                        break;
                case 1:
                        ck_assert_int_eq(netsock_unix_stream_recv_ancillary(b, &iov, 1, NULL), 2);
                        break;
                case 2:
                        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 2);
                        break;
                default:
                        ck_assert_int_eq(netsock_unix_stream_recv_vectored(b, &iov, 1), 2);
                        break;
                }
        }
        ck_assert_int_eq(ns_count_fds(), before);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* Set on the listener, inherited by accepted sockets: the same for
 * seqpacket. */
START_TEST(passpidfd_inherited_from_listener_leaks_nothing) {
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *c, *s;
        struct netsock_addr addr;
        int i, before;
        char buf[8];

        if (!ns_have_passpidfd())
                return;
        ck_assert_int_eq(netsock_seqpacket_listener_bind(ns_abstract_name("pidfd"), 0, &l), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_set_passpidfd(l, true), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_local_addr(l, &addr), 0);
        ck_assert_int_eq(netsock_seqpacket_connect_addr(&addr, 0, &c), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_accept(l, 0, &s, NULL), 0);
        before = ns_count_fds();
        for (i = 0; i < 200; i++) {
                int fds[2];
                size_t nfds = 2;

                ck_assert_int_eq(netsock_seqpacket_send(c, "abc", 3), 3);
                if (i % 2) {
                        ck_assert_int_eq(netsock_seqpacket_recv_fds(s, buf, sizeof(buf), fds, &nfds, NULL), 3);
                } else {
                        ck_assert_int_eq(netsock_seqpacket_recv(s, buf, sizeof(buf), NULL), 3);
                }
        }
        ck_assert_int_eq(ns_count_fds(), before);
        netsock_seqpacket_close(c);
        netsock_seqpacket_close(s);
        netsock_seqpacket_listener_close(l);
}
END_TEST

/* The same for every seqpacket receive: SO_PASSPIDFD on, 200 packets,
 * each taken (or looked at first) by another kind of receive.  Only
 * recv_ancillary with somewhere to put it hands a pidfd out, and it names
 * the sender; every other call leaves none open. */
START_TEST(passpidfd_on_seqpacket_leaks_no_fd_in_200_receives) {
        struct netsock_seqpacket *a, *b;
        int i, before;
        char buf[8];

        if (!ns_have_passpidfd())
                return;
        ck_assert_int_eq(netsock_seqpacket_pair(0, &a, &b), 0);
        ck_assert_int_eq(netsock_seqpacket_set_passpidfd(b, true), 0);
        before = ns_count_fds();
        for (i = 0; i < 200; i++) {
                struct iovec iov = { buf, sizeof(buf) };
                struct netsock_ancillary anc;
                int fds[4];
                size_t nfds = 4;
                bool trunc = true;

                ck_assert_int_eq(netsock_seqpacket_send(a, "abc", 3), 3);
                switch (i % 6) {
                case 0:
                        memset(&anc, 0, sizeof(anc));
                        ck_assert_int_eq(netsock_seqpacket_recv_ancillary(b, &iov, 1, &anc), 3);
                        ck_assert_uint_eq(anc.flags, NETSOCK_MSG_PIDFD);
                        ck_assert_int_eq(ns_pidfd_pid(anc.pidfd), getpid());
                        ck_assert_int_eq(close(anc.pidfd), 0);
                        break;
                case 1:
                        ck_assert_int_eq(netsock_seqpacket_recv_ancillary(b, &iov, 1, NULL), 3);
                        break;
                case 2:
                        ck_assert_int_eq(netsock_seqpacket_recv_vectored(b, &iov, 1, &trunc), 3);
                        ck_assert(!trunc);
                        break;
                case 3:
                        ck_assert_int_eq(netsock_seqpacket_peek(b, buf, sizeof(buf), NULL), 3);
                        ck_assert_int_eq(netsock_seqpacket_peek_vectored(b, &iov, 1, NULL), 3);
                        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), 3);
                        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), NULL), 3);
                        break;
                case 4:
                        ck_assert_int_eq(netsock_seqpacket_recv_fds(b, buf, sizeof(buf), fds, &nfds, NULL), 3);
                        ck_assert_uint_eq(nfds, 0);
                        break;
                default:
                        /* Truncated: the rest of the packet and its pidfd go. */
                        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, 1, &trunc), 1);
                        ck_assert(trunc);
                        break;
                }
                ck_assert_int_eq(ns_count_fds(), before);
        }
        netsock_seqpacket_close(a);
        netsock_seqpacket_close(b);
}
END_TEST

/* 253 fds plus credentials plus a pidfd fit the control buffer: nothing
 * was lost, so no CTRUNC. */
START_TEST(most_fds_with_creds_and_pidfd_is_not_ctrunc) {
        struct netsock_unix_stream *a, *b;
        struct netsock_creds me = { getpid(), getuid(), getgid() }, got;
        int sent[NETSOCK_MAX_FDS], fds[NETSOCK_MAX_FDS], p[2], i, before;
        struct iovec iov = { (void *) "m", 1 };
        struct netsock_ancillary anc;
        char c;

        ns_raise_nofile_limit(4096);
        ck_assert_int_eq(netsock_unix_stream_pair(0, &a, &b), 0);
        ck_assert_int_eq(netsock_unix_stream_set_passcred(b, true), 0);
        if (ns_have_passpidfd())
                ck_assert_int_eq(netsock_unix_stream_set_passpidfd(b, true), 0);
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        for (i = 0; i < NETSOCK_MAX_FDS; i++)
                sent[i] = p[0];
        memset(&anc, 0, sizeof(anc));
        anc.fds = sent;
        anc.nfds = NETSOCK_MAX_FDS;
        anc.creds = &me;
        ck_assert_int_eq(netsock_unix_stream_send_ancillary(a, &iov, 1, &anc), 1);
        before = ns_count_fds();
        memset(&anc, 0, sizeof(anc));
        anc.fds = fds;
        anc.nfds = NETSOCK_MAX_FDS;
        anc.creds = &got;
        iov.iov_base = &c;
        ck_assert_int_eq(netsock_unix_stream_recv_ancillary(b, &iov, 1, &anc), 1);
        ck_assert_uint_eq(anc.nfds, NETSOCK_MAX_FDS);
        ck_assert_uint_eq(anc.flags & ~NETSOCK_MSG_PIDFD, NETSOCK_MSG_CREDS);
        ns_assert_own_creds(&got);
        for (i = 0; i < NETSOCK_MAX_FDS; i++) {
                ck_assert(ns_same_file(fds[i], p[0]));
                close(fds[i]);
        }
        if (anc.flags & NETSOCK_MSG_PIDFD)
                close(anc.pidfd);
        ck_assert_int_eq(ns_count_fds(), before);
        close(p[0]);
        close(p[1]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* recv_ancillary hands the pidfd out: it names the sender, close-on-exec,
 * and the caller owns it.  Without SO_PASSPIDFD pidfd is -1. */
START_TEST(recv_ancillary_hands_out_the_senders_pidfd) {
        struct netsock_unix_stream *a, *b;
        struct netsock_ancillary anc;
        struct iovec iov;
        char c;

        ck_assert_int_eq(netsock_unix_stream_pair(0, &a, &b), 0);
        iov.iov_base = &c;
        iov.iov_len = 1;
        ck_assert_int_eq(netsock_unix_stream_send(a, "1", 1), 1);
        memset(&anc, 0x55, sizeof(anc));
        anc.fds = NULL;
        anc.nfds = 0;
        anc.creds = NULL;
        ck_assert_int_eq(netsock_unix_stream_recv_ancillary(b, &iov, 1, &anc), 1);
        ck_assert_uint_eq(anc.flags, 0);
        ck_assert_int_eq(anc.pidfd, -1);
        if (!ns_have_passpidfd()) {
                ck_assert_int_eq(netsock_unix_stream_set_passpidfd(b, true), -ENOPROTOOPT);
                goto out;
        }
        ck_assert_int_eq(netsock_unix_stream_set_passpidfd(b, true), 0);
        ck_assert_int_eq(netsock_unix_stream_send(a, "2", 1), 1);
        ck_assert_int_eq(netsock_unix_stream_recv_ancillary(b, &iov, 1, &anc), 1);
        ck_assert_uint_eq(anc.flags, NETSOCK_MSG_PIDFD);
        ck_assert_int_ge(anc.pidfd, 0);
        ck_assert(ns_is_pidfd(anc.pidfd));
        ck_assert(ns_fd_has_cloexec(anc.pidfd));
        ck_assert_int_eq(ns_pidfd_pid(anc.pidfd), getpid());
        close(anc.pidfd);
out:
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* ---- 2. finish_connect while the connect is failing --------------------------- */

/* A connect whose SYNs go unanswered fails with ETIMEDOUT after one
 * retransmission (TCP_SYNCNT 1).  Asked as fast as possible, finish_connect
 * says -EINPROGRESS until then and then the error: never -ENOTCONN first. */
START_TEST(finish_connect_never_says_enotconn_before_the_error) {
        struct ns_full_listener f;
        struct netsock_tcp_socket *sock;
        struct netsock_tcp_stream *s;
        long long t0;
        int r, one = 1, calls = 0;

        ns_full_listener_open(&f);
        ck_assert_int_eq(netsock_tcp_socket_new_v4(NETSOCK_NONBLOCK, &sock), 0);
        ck_assert_int_eq(setsockopt(netsock_tcp_socket_fd(sock), IPPROTO_TCP, TCP_SYNCNT, &one, sizeof(one)), 0);
        ck_assert_int_eq(netsock_tcp_socket_connect(sock, &f.addr, &s), 0);
        t0 = ns_now_ms();
        while ((r = netsock_tcp_stream_finish_connect(s)) == -EINPROGRESS) {
                calls++;
                ck_assert_int_lt(ns_elapsed_ms(t0), 20000);
        }
        ck_assert_int_eq(r, -ETIMEDOUT);
        ck_assert_int_gt(calls, 0);
        /* The error was taken: from now on the socket is just unconnected. */
        ck_assert_int_eq(netsock_tcp_stream_finish_connect(s), -ENOTCONN);
        netsock_tcp_stream_close(s);
        ns_full_listener_close(&f);
}
END_TEST

/* ---- 3. recv_exact and an error the kernel reports once ---------------------- */

START_TEST(recv_exact_keeps_econnreset_for_the_next_call) {
        struct netsock_tcp_stream *c, *s;
        char buf[16];
        int err = 1;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_send(s, "hi", 2), 2);
        ck_assert_int_eq(netsock_tcp_stream_set_linger(s, 0), 0);
        netsock_tcp_stream_close(s);  /* RST after the two bytes */
        ns_sleep_ms(100);
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(c, buf, 10), 2);
        ck_assert(memcmp(buf, "hi", 2) == 0);
        ck_assert_int_eq(netsock_tcp_stream_peek(c, buf, 10), -ECONNRESET);  /* peek leaves it */
        ck_assert_int_eq(netsock_tcp_stream_recv(c, buf, 10), -ECONNRESET);
        ck_assert_int_eq(netsock_tcp_stream_recv(c, buf, 10), 0);
        ck_assert_int_eq(netsock_tcp_stream_take_error(c, &err), 0);
        ck_assert_int_eq(err, 0);
        netsock_tcp_stream_close(c);
}
END_TEST

START_TEST(recv_exact_error_is_taken_by_take_error_too) {
        struct netsock_tcp_stream *c, *s;
        char buf[16];
        int err = 1;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_send(s, "abc", 3), 3);
        ck_assert_int_eq(netsock_tcp_stream_set_linger(s, 0), 0);
        netsock_tcp_stream_close(s);
        ns_sleep_ms(100);
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(c, buf, 10), 3);
        ck_assert_int_eq(netsock_tcp_stream_take_error(c, &err), 0);
        ck_assert_int_eq(err, -ECONNRESET);
        ck_assert_int_eq(netsock_tcp_stream_recv(c, buf, 10), 0);
        netsock_tcp_stream_close(c);
}
END_TEST

/* A timeout is not kept: the next call tries again (and finds the data
 * that came meanwhile). */
START_TEST(recv_exact_timeout_is_not_kept) {
        struct netsock_unix_stream *a, *b;
        char buf[8];

        ck_assert_int_eq(netsock_unix_stream_pair(0, &a, &b), 0);
        ck_assert_int_eq(netsock_unix_stream_set_read_timeout(b, 50), 0);
        ck_assert_int_eq(netsock_unix_stream_send(a, "abc", 3), 3);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, buf, 6), 3);
        ck_assert_int_eq(netsock_unix_stream_send(a, "def", 3), 3);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, buf + 3, 3), 3);
        ck_assert(memcmp(buf, "abcdef", 6) == 0);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* ---- 4. REMOVE_ON_CLOSE and fork ------------------------------------------------ */

START_TEST(remove_on_close_in_forked_child_keeps_parents_socket_file) {
        char path[256];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *c, *s;
        pid_t pid;

        ns_keep(path, sizeof(path), ns_tmppath("fork.sock"));
        ck_assert_int_eq(netsock_unix_listener_bind(path, NETSOCK_REMOVE_ON_CLOSE, &l), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                netsock_unix_listener_close(l);
                _exit(0);
        }
        ns_assert_child_ok(pid);
        ck_assert(ns_is_socket_file(path));
        ck_assert_int_eq(netsock_unix_stream_connect(path, 0, &c), 0);
        ck_assert_int_eq(netsock_unix_listener_accept(l, 0, &s, NULL), 0);
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(l);
        ck_assert(!ns_path_exists(path));
}
END_TEST

/* ---- 5. REPLACE_STALE: the lock file ------------------------------------------- */

START_TEST(replace_stale_holds_a_lock_file_until_close) {
        char path[256], lock[300];
        struct netsock_unix_listener *l, *l2 = NS_SENTINEL(netsock_unix_listener);
        struct stat st;
        int fd;

        ns_keep(path, sizeof(path), ns_tmppath("locked.sock"));
        snprintf(lock, sizeof(lock), "%s.lock", path);
        ns_make_stale_socket_file(path, SOCK_STREAM);
        ck_assert_int_eq(netsock_unix_listener_bind(path, NETSOCK_REPLACE_STALE | NETSOCK_REMOVE_ON_CLOSE, &l), 0);
        ck_assert_int_eq(lstat(lock, &st), 0);
        ck_assert(S_ISREG(st.st_mode));
        ck_assert_uint_eq(st.st_mode & 07777, 0600);
        /* A second binder does not wait: the lock is taken. */
        ck_assert_int_eq(netsock_unix_listener_bind(path, NETSOCK_REPLACE_STALE, &l2), -EADDRINUSE);
        ck_assert_ptr_eq(l2, NS_SENTINEL(netsock_unix_listener));
        fd = open(lock, O_RDWR | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), -1);
        ck_assert_int_eq(errno, EWOULDBLOCK);
        netsock_unix_listener_close(l);
        /* REMOVE_ON_CLOSE: the socket file, then the lock file. */
        ck_assert(!ns_path_exists(path));
        ck_assert(!ns_path_exists(lock));
        ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
        close(fd);
}
END_TEST

START_TEST(replace_stale_into_fd_releases_the_lock) {
        char path[256], lock[300];
        struct netsock_unix_listener *l;
        int fd, lfd;

        ns_keep(path, sizeof(path), ns_tmppath("into.sock"));
        snprintf(lock, sizeof(lock), "%s.lock", path);
        ck_assert_int_eq(netsock_unix_listener_bind(path, NETSOCK_REPLACE_STALE, &l), 0);
        lfd = open(lock, O_RDWR | O_CLOEXEC);
        ck_assert_int_ge(lfd, 0);
        ck_assert_int_eq(flock(lfd, LOCK_EX | LOCK_NB), -1);
        fd = netsock_unix_listener_into_fd(l);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(flock(lfd, LOCK_EX | LOCK_NB), 0);
        close(lfd);
        close(fd);
}
END_TEST

START_TEST(replace_stale_bind_failure_leaves_no_lock_file) {
        char path[256], lock[300];
        struct netsock_unix_listener *l, *l2;

        ns_keep(path, sizeof(path), ns_tmppath("live.sock"));
        snprintf(lock, sizeof(lock), "%s.lock", path);
        /* A live listener bound without REPLACE_STALE: never taken. */
        ck_assert_int_eq(netsock_unix_listener_bind(path, 0, &l), 0);
        ck_assert_int_eq(netsock_unix_listener_bind(path, NETSOCK_REPLACE_STALE, &l2), -EADDRINUSE);
        ck_assert(!ns_path_exists(lock));
        ck_assert(ns_is_socket_file(path));
        netsock_unix_listener_close(l);
}
END_TEST

/* Two servers starting at once on one path, stale or not: exactly one
 * listens, every time.  Rounds: NS_RACE_ROUNDS (default 150). */
static int race_round(const char *path, bool stale) {
        int go[2], res[2], hold[2], i, winners = 0;
        pid_t pids[2];
        char c;

        if (stale)
                ns_make_stale_socket_file(path, SOCK_STREAM);
        ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(res, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(hold, O_CLOEXEC), 0);
        for (i = 0; i < 2; i++) {
                pids[i] = fork();
                ck_assert_int_ge(pids[i], 0);
                if (pids[i] == 0) {
                        struct netsock_unix_listener *l = NULL;
                        char r;
                        int rc;

                        close(go[1]);
                        close(hold[1]);
                        if (read(go[0], &c, 1) != 0)
                                _exit(2);
                        rc = netsock_unix_listener_bind(path, NETSOCK_REPLACE_STALE, &l);
                        r = rc == 0 ? 'L' : rc == -EADDRINUSE ? 'U' : 'E';
                        if (write(res[1], &r, 1) != 1)
                                _exit(3);
                        /* Hold it until the other one has answered too. */
                        if (read(hold[0], &c, 1) != 0)
                                _exit(4);
                        if (rc == 0) {
                                struct netsock_unix_stream *s = NULL;

                                /* The winner's file is still its own. */
                                if (netsock_unix_stream_connect(path, 0, &s) != 0)
                                        _exit(5);
                                netsock_unix_stream_close(s);
                        }
                        netsock_unix_listener_close(l);
                        _exit(0);
                }
        }
        close(go[0]);
        close(res[1]);
        close(go[1]);  /* both start: EOF on go */
        for (i = 0; i < 2; i++) {
                ck_assert_int_eq(read(res[0], &c, 1), 1);
                ck_assert_msg(c == 'L' || c == 'U', "bind gave an unexpected error");
                winners += c == 'L';
        }
        close(res[0]);
        close(hold[0]);
        close(hold[1]);  /* now both may let go */
        for (i = 0; i < 2; i++)
                ns_assert_child_ok(pids[i]);
        unlink(path);
        return winners;
}

START_TEST(replace_stale_two_simultaneous_starts_one_listens) {
        const char *env = getenv("NS_RACE_ROUNDS");
        int rounds = env ? atoi(env) : 150, i, doubles = 0, none = 0;
        char path[256];

        ns_keep(path, sizeof(path), ns_tmppath("race.sock"));
        for (i = 0; i < rounds; i++) {
                int w = race_round(path, i % 2 == 0);

                doubles += w > 1;
                none += w == 0;
        }
        if (env)
                fprintf(stderr, "replace_stale race: %d rounds (%d simultaneous starts), %d double listens, %d none\n",
                        rounds, 2 * rounds, doubles, none);
        ck_assert_int_eq(doubles, 0);
        ck_assert_int_eq(none, 0);
}
END_TEST

/* ---- 6. hand-filled addresses ---------------------------------------------------- */

START_TEST(hand_filled_addr_with_len_1000_is_einval_everywhere) {
        struct netsock_addr a, good = ns_parse_addr("127.0.0.1:80");
        struct netsock_tcp_stream *t = NS_SENTINEL(netsock_tcp_stream);
        struct netsock_unix_stream *u = NS_SENTINEL(netsock_unix_stream);
        char buf[NETSOCK_ADDRSTRLEN];

        a = good;
        a.len = 1000;
        ck_assert_int_eq(netsock_addr_format(&a, buf, sizeof(buf)), -EINVAL);
        ck_assert(!netsock_addr_equal(&a, &a));
        ck_assert(!netsock_addr_equal(&a, &good));
        ck_assert_int_eq(netsock_addr_family(&a), -EINVAL);
        ck_assert_int_eq(netsock_addr_port(&a), -EINVAL);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect(&a, 0, &t), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_connect_addr(&a, 0, &u), -EINVAL);
        ck_assert_ptr_eq(t, NS_SENTINEL(netsock_tcp_stream));
        ck_assert_ptr_eq(u, NS_SENTINEL(netsock_unix_stream));
        /* An inet length that is not its family's. */
        a = good;
        a.len = sizeof(struct sockaddr_in6);
        ck_assert_int_eq(netsock_addr_format(&a, buf, sizeof(buf)), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect(&a, 0, &t), -EINVAL);
}
END_TEST

START_TEST(hand_filled_abstract_longer_than_107_is_einval) {
        struct netsock_addr a;
        struct sockaddr_un *sun = (struct sockaddr_un *) &a.storage;
        struct netsock_unix_listener *l = NS_SENTINEL(netsock_unix_listener);
        char buf[2 * NETSOCK_ADDRSTRLEN];

        memset(&a, 0, sizeof(a));
        sun->sun_family = AF_UNIX;
        memset(sun->sun_path + 1, 0xff, sizeof(a.storage) - offsetof(struct sockaddr_un, sun_path) - 1);
        a.len = 128;
        ck_assert_int_eq(netsock_addr_format(&a, buf, sizeof(buf)), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_bind_addr(&a, 0, &l), -EINVAL);
        ck_assert_ptr_eq(l, NS_SENTINEL(netsock_unix_listener));
        /* The longest valid one formats within NETSOCK_ADDRSTRLEN - 1. */
        a.len = sizeof(struct sockaddr_un);
        ck_assert_int_eq(netsock_addr_format(&a, buf, sizeof(buf)), 1 + 4 * 107);
        ck_assert_int_le(netsock_addr_format(&a, buf, sizeof(buf)), NETSOCK_ADDRSTRLEN - 1);
}
END_TEST

START_TEST(hand_filled_108_byte_path_without_nul_is_einval_and_leaves_nothing) {
        struct netsock_addr a;
        struct sockaddr_un *sun = (struct sockaddr_un *) &a.storage;
        struct netsock_unix_listener *l = NS_SENTINEL(netsock_unix_listener);
        char dir[256], name[200];
        size_t dl, i;
        int before = ns_count_fds();

        ns_keep(dir, sizeof(dir), ns_tmpdir());
        dl = strlen(dir);
        ck_assert_uint_lt(dl + 2, sizeof(sun->sun_path));
        memset(&a, 0, sizeof(a));
        sun->sun_family = AF_UNIX;
        memcpy(sun->sun_path, dir, dl);
        sun->sun_path[dl] = '/';
        for (i = dl + 1; i < sizeof(sun->sun_path); i++)
                sun->sun_path[i] = 'p';
        memset((char *) &a.storage + sizeof(struct sockaddr_un), 'z',
               sizeof(a.storage) - sizeof(struct sockaddr_un));
        a.len = sizeof(struct sockaddr_un);
        ck_assert_int_eq(netsock_unix_listener_bind_addr(&a, 0, &l), -EINVAL);
        ck_assert_ptr_eq(l, NS_SENTINEL(netsock_unix_listener));
        /* Nothing was made in the directory. */
        memcpy(name, sun->sun_path, sizeof(sun->sun_path));
        name[sizeof(sun->sun_path)] = '\0';
        ck_assert(!ns_path_exists(name));
        ck_assert_int_eq(ns_count_fds(), before);
        /* With the storage byte after it zero it is the kernel's form of a
         * full 108-byte path: valid. */
        memset((char *) &a.storage + sizeof(struct sockaddr_un), 0,
               sizeof(a.storage) - sizeof(struct sockaddr_un));
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_PATH);
        ck_assert_int_eq(netsock_addr_format(&a, NULL, 0), (int) sizeof(sun->sun_path));
}
END_TEST

START_TEST(hand_filled_unix_len_shorter_than_family_is_einval) {
        struct netsock_addr a;

        memset(&a, 0, sizeof(a));
        a.storage.ss_family = AF_UNIX;
        a.len = 1;
        ck_assert_int_eq(netsock_addr_format(&a, NULL, 0), -EINVAL);
        ck_assert_int_eq(netsock_addr_family(&a), -EINVAL);
        a.len = offsetof(struct sockaddr_un, sun_path);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_UNNAMED);
}
END_TEST

/* ---- 7. stream recv_fds with no room for bytes --------------------------------- */

START_TEST(stream_recv_fds_with_empty_buffer_is_einval_and_consumes_nothing) {
        struct netsock_unix_stream *a, *b;
        int p[2], fds[2];
        size_t nfds = 2;
        unsigned flags = 0;
        char c = 0;
        struct iovec iov = { &c, 0 };
        struct netsock_ancillary anc;

        ck_assert_int_eq(netsock_unix_stream_pair(0, &a, &b), 0);
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        send_one_byte_with_fd(a, p[1]);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 0, fds, &nfds, &flags), -EINVAL);
        ck_assert_uint_eq(nfds, 2);
        memset(&anc, 0, sizeof(anc));
        anc.fds = fds;
        anc.nfds = 2;
        ck_assert_int_eq(netsock_unix_stream_recv_ancillary(b, &iov, 1, &anc), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 1, fds, &nfds, &flags), 1);
        ck_assert_int_eq(c, 'x');
        ck_assert_uint_eq(nfds, 1);
        ck_assert_uint_eq(flags, 0);
        ck_assert(ns_same_file(fds[0], p[1]));
        close(fds[0]);
        close(p[0]);
        close(p[1]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* A seqpacket packet may be empty: there a 0-byte buffer is fine. */
START_TEST(seqpacket_recv_fds_with_empty_buffer_takes_the_packet) {
        struct netsock_seqpacket *a, *b;
        int p[2], fds[2];
        size_t nfds = 2;
        unsigned flags = 0;
        char c;

        ck_assert_int_eq(netsock_seqpacket_pair(0, &a, &b), 0);
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "y", 1, &p[0], 1), 1);
        ck_assert_int_eq(netsock_seqpacket_recv_fds(b, &c, 0, fds, &nfds, &flags), 0);
        ck_assert_uint_eq(nfds, 1);
        ck_assert_uint_eq(flags, NETSOCK_MSG_TRUNC);
        close(fds[0]);
        close(p[0]);
        close(p[1]);
        netsock_seqpacket_close(a);
        netsock_seqpacket_close(b);
}
END_TEST

/* ---- 8. a signal stops a blocking accept ---------------------------------------- */

START_TEST(blocking_accept_returns_eintr_on_a_signal) {
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *s = NS_SENTINEL(netsock_unix_stream);
        struct netsock_tcp_listener *tl;
        struct netsock_tcp_stream *ts = NS_SENTINEL(netsock_tcp_stream);
        struct netsock_addr ta;
        long long t0;

        ck_assert_int_eq(netsock_unix_listener_bind(ns_abstract_name("eintr"), 0, &l), 0);
        ns_arm_alarm(100, 0);
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_unix_listener_accept(l, 0, &s, NULL), -EINTR);
        ck_assert_int_ge(ns_elapsed_ms(t0), 80);
        ck_assert_int_lt(ns_elapsed_ms(t0), 5000);
        ck_assert_int_eq(ns_alarms(), 1);
        ck_assert_ptr_eq(s, NS_SENTINEL(netsock_unix_stream));
        tl = ns_tcp_listen("127.0.0.1:0", 0, &ta);
        ns_arm_alarm(50, 0);
        ck_assert_int_eq(netsock_tcp_listener_accept(tl, 0, &ts, NULL), -EINTR);
        ck_assert_ptr_eq(ts, NS_SENTINEL(netsock_tcp_stream));
        ns_disarm_alarm();
        netsock_tcp_listener_close(tl);
        netsock_unix_listener_close(l);
}
END_TEST

static Suite *make(void) {
        Suite *s = suite_create("hostile");
        TCase *tc;

        tc = ns_tcase(s, "pidfd");
        tcase_add_test(tc, passpidfd_on_receiver_leaks_no_fd_in_200_receives);
        tcase_add_test(tc, passpidfd_inherited_from_listener_leaks_nothing);
        tcase_add_test(tc, passpidfd_on_seqpacket_leaks_no_fd_in_200_receives);
        tcase_add_test(tc, most_fds_with_creds_and_pidfd_is_not_ctrunc);
        tcase_add_test(tc, recv_ancillary_hands_out_the_senders_pidfd);

        tc = ns_tcase(s, "connect");
        tcase_add_test(tc, finish_connect_never_says_enotconn_before_the_error);

        tc = ns_tcase(s, "recv_exact");
        tcase_add_test(tc, recv_exact_keeps_econnreset_for_the_next_call);
        tcase_add_test(tc, recv_exact_error_is_taken_by_take_error_too);
        tcase_add_test(tc, recv_exact_timeout_is_not_kept);

        tc = ns_tcase(s, "socket files");
        tcase_add_test(tc, remove_on_close_in_forked_child_keeps_parents_socket_file);
        tcase_add_test(tc, replace_stale_holds_a_lock_file_until_close);
        tcase_add_test(tc, replace_stale_into_fd_releases_the_lock);
        tcase_add_test(tc, replace_stale_bind_failure_leaves_no_lock_file);
        tcase_add_test(tc, replace_stale_two_simultaneous_starts_one_listens);
        tcase_set_timeout(tc, 120);

        tc = ns_tcase(s, "addresses");
        tcase_add_test(tc, hand_filled_addr_with_len_1000_is_einval_everywhere);
        tcase_add_test(tc, hand_filled_abstract_longer_than_107_is_einval);
        tcase_add_test(tc, hand_filled_108_byte_path_without_nul_is_einval_and_leaves_nothing);
        tcase_add_test(tc, hand_filled_unix_len_shorter_than_family_is_einval);

        tc = ns_tcase(s, "recv_fds");
        tcase_add_test(tc, stream_recv_fds_with_empty_buffer_is_einval_and_consumes_nothing);
        tcase_add_test(tc, seqpacket_recv_fds_with_empty_buffer_takes_the_packet);

        tc = ns_tcase(s, "signals");
        tcase_add_test(tc, blocking_accept_returns_eintr_on_a_signal);
        return s;
}

NS_TEST_MAIN(make)
