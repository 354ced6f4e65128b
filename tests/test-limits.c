/* SPDX-License-Identifier: MIT */
/*
 * Resource exhaustion: every call that makes an fd, run with the fd table
 * (RLIMIT_NOFILE) nearly or completely used up.  Each case lowers the limit
 * and fills the table in its own forked Check process, and gives both back
 * before it ends, so the fd-leak fixture still judges it.
 *
 * What is promised: a call that cannot get its fds fails with -EMFILE,
 * leaves its out-parameter alone and leaves nothing behind (not one fd, no
 * socket or lock file); a receive whose fds do not fit reports
 * NETSOCK_MSG_CTRUNC and still returns the payload; a listener that hit
 * EMFILE keeps its pending connection and accepts it once an fd is free;
 * and the reserve-fd pattern of the accept pages keeps a level-triggered
 * loop from spinning.
 *
 * Valgrind emulates RLIMIT_NOFILE in user space (the kernel's table is never
 * limited), so these cases carry the Check tag "no-valgrind" and
 * `make check-valgrind` leaves them out.
 */
#include "config.h"
#include "common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* The lowered soft limit: room for what Check and the harness hold. */
#define LIMIT 128

/* The fd table filled up to LIMIT, but for `spare` free slots. */
struct table {
        int fds[LIMIT];
        int n;
        struct rlimit old;
};

static void table_fill(struct table *t, int spare) {
        struct rlimit rl;
        int fd;

        ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &t->old), 0);
        rl = t->old;
        rl.rlim_cur = LIMIT;
        ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
        t->n = 0;
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        t->fds[t->n++] = fd;
        while ((fd = fcntl(t->fds[0], F_DUPFD_CLOEXEC, 0)) >= 0) {
                ck_assert_int_lt(t->n, LIMIT);
                t->fds[t->n++] = fd;
        }
        ck_assert_int_eq(errno, EMFILE);
        /* The lowest free fd is the one the next call gets: free the
         * highest ones, the table stays full below them. */
        ck_assert_int_gt(t->n, spare);
        while (spare-- > 0)
                close(t->fds[--t->n]);
}

/* Frees one more slot. */
static void table_free_one(struct table *t) {
        ck_assert_int_gt(t->n, 1);
        close(t->fds[--t->n]);
}

static void table_release(struct table *t) {
        while (t->n > 0)
                close(t->fds[--t->n]);
        ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &t->old), 0);
}

/* How many fds can still be opened (they are closed again). */
static int count_free_slots(void) {
        int fds[LIMIT], n = 0, i, fd;

        while (n < LIMIT && (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
                fds[n++] = fd;
        ck_assert_int_lt(n, LIMIT);
        ck_assert_int_eq(errno, EMFILE);
        for (i = 0; i < n; i++)
                close(fds[i]);
        return n;
}

/* ---- receiving fds that do not fit ------------------------------------------ */

/* Four fds sent, two free slots: two arrive, CTRUNC says some were lost,
 * and the payload is there in full. */
START_TEST(unix_stream_recv_fds_at_emfile_reports_ctrunc_and_returns_payload) {
        struct netsock_unix_stream *a, *b;
        struct table t;
        int p[2], send[4], got[8], i;
        size_t nfds = 8;
        unsigned flags = 0;
        char buf[16];

        ck_assert_int_eq(netsock_unix_stream_pair(0, &a, &b), 0);
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        send[0] = send[2] = p[0];
        send[1] = send[3] = p[1];
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "hello", 5, send, 4), 5);
        ck_assert_int_eq(netsock_unix_stream_send(a, "next", 4), 4);
        table_fill(&t, 2);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, buf, 5, got, &nfds, &flags), 5);
        ck_assert_mem_eq(buf, "hello", 5);
        ck_assert_uint_eq(nfds, 2);
        ck_assert_uint_eq(flags, NETSOCK_MSG_CTRUNC);
        for (i = 0; i < 2; i++) {
                ck_assert(ns_fd_has_cloexec(got[i]));
                ck_assert(ns_same_file(got[i], send[i]));
        }
        ck_assert_int_eq(count_free_slots(), 0);
        /* The stream goes on; what was lost is gone, nothing else. */
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 4);
        ck_assert_mem_eq(buf, "next", 4);
        close(got[0]);
        close(got[1]);
        ck_assert_int_eq(count_free_slots(), 2);
        table_release(&t);
        close(p[0]);
        close(p[1]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* No free slot at all: no fd, CTRUNC, the whole packet. */
START_TEST(seqpacket_recv_fds_with_full_table_reports_ctrunc_and_returns_payload) {
        struct netsock_seqpacket *a, *b;
        struct table t;
        int fd = STDERR_FILENO, got[4] = { -7, -7, -7, -7 };
        size_t nfds = 4;
        unsigned flags = 0;
        char buf[16];

        ck_assert_int_eq(netsock_seqpacket_pair(0, &a, &b), 0);
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "packet", 6, &fd, 1), 6);
        table_fill(&t, 0);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv_fds(b, buf, sizeof(buf), got, &nfds, &flags), 6);
        ck_assert_mem_eq(buf, "packet", 6);
        ck_assert_uint_eq(nfds, 0);
        ck_assert_uint_eq(flags, NETSOCK_MSG_CTRUNC);
        ck_assert_int_eq(got[0], -7);
        table_release(&t);
        netsock_seqpacket_close(a);
        netsock_seqpacket_close(b);
}
END_TEST

/* ---- accept at EMFILE -------------------------------------------------------- */

START_TEST(unix_accept_at_emfile_fails_and_the_listener_accepts_later) {
        char name[128];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *c, *s = NS_SENTINEL(netsock_unix_stream);
        struct table t;
        char ch = 0;

        ns_keep(name, sizeof(name), ns_abstract_name("emfile"));
        ck_assert_int_eq(netsock_unix_listener_bind(name, 0, &l), 0);
        ck_assert_int_eq(netsock_unix_stream_connect(name, 0, &c), 0);
        table_fill(&t, 0);
        ck_assert_int_eq(netsock_unix_listener_accept(l, 0, &s, NULL), -EMFILE);
        ck_assert_ptr_eq(s, NS_SENTINEL(netsock_unix_stream));
        ck_assert_int_eq(netsock_unix_listener_accept(l, 0, &s, NULL), -EMFILE);
        table_free_one(&t);
        ck_assert_int_eq(netsock_unix_listener_accept(l, 0, &s, NULL), 0);
        ck_assert_int_eq(netsock_unix_stream_send(c, "u", 1), 1);
        ck_assert_int_eq(netsock_unix_stream_recv(s, &ch, 1), 1);
        ck_assert_int_eq(ch, 'u');
        netsock_unix_stream_close(s);
        table_release(&t);
        netsock_unix_stream_close(c);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(seqpacket_accept_at_emfile_fails_and_the_listener_accepts_later) {
        char name[128];
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *c, *s = NS_SENTINEL(netsock_seqpacket);
        struct table t;
        char ch = 0;

        ns_keep(name, sizeof(name), ns_abstract_name("emfile"));
        ck_assert_int_eq(netsock_seqpacket_listener_bind(name, 0, &l), 0);
        ck_assert_int_eq(netsock_seqpacket_connect(name, 0, &c), 0);
        table_fill(&t, 0);
        ck_assert_int_eq(netsock_seqpacket_listener_accept(l, 0, &s, NULL), -EMFILE);
        ck_assert_ptr_eq(s, NS_SENTINEL(netsock_seqpacket));
        table_free_one(&t);
        ck_assert_int_eq(netsock_seqpacket_listener_accept(l, 0, &s, NULL), 0);
        ck_assert_int_eq(netsock_seqpacket_send(c, "q", 1), 1);
        ck_assert_int_eq(netsock_seqpacket_recv(s, &ch, 1, NULL), 1);
        ck_assert_int_eq(ch, 'q');
        netsock_seqpacket_close(s);
        table_release(&t);
        netsock_seqpacket_close(c);
        netsock_seqpacket_listener_close(l);
}
END_TEST

START_TEST(tcp_accept_at_emfile_fails_and_the_listener_accepts_later) {
        struct netsock_addr a;
        struct netsock_tcp_listener *l = ns_tcp_listen("127.0.0.1:0", 0, &a);
        struct netsock_tcp_stream *c, *s = NS_SENTINEL(netsock_tcp_stream);
        struct table t;

        ck_assert_int_eq(netsock_tcp_stream_connect(&a, 0, &c), 0);
        table_fill(&t, 0);
        ck_assert_int_eq(netsock_tcp_listener_accept(l, 0, &s, NULL), -EMFILE);
        ck_assert_ptr_eq(s, NS_SENTINEL(netsock_tcp_stream));
        table_free_one(&t);
        ck_assert_int_eq(netsock_tcp_listener_accept(l, 0, &s, NULL), 0);
        ns_assert_tcp_transfer(c, s, "after EMFILE");
        netsock_tcp_stream_close(s);
        table_release(&t);
        netsock_tcp_stream_close(c);
        netsock_tcp_listener_close(l);
}
END_TEST

/* ---- the reserve-fd pattern of the accept pages ------------------------------ */

/* One turn of a level-triggered server loop with a reserve fd, as the
 * NOTES of netsock_unix_listener_accept(3) describe it.  Returns how many
 * connections it accepted and served, and how many it had to drop. */
static void serve_once(struct netsock_unix_listener *l, int *reserve, int *served, int *dropped) {
        struct netsock_unix_stream *s;
        int r;

        while ((r = netsock_unix_listener_accept(l, 0, &s, NULL)) == 0) {
                netsock_unix_stream_send(s, "hi", 2);
                netsock_unix_stream_close(s);
                (*served)++;
        }
        if (r == -EMFILE && *reserve >= 0) {
                /* Out of fds: give the reserve back, take the connection
                 * off the queue and close it, then take the reserve
                 * again.  The listener is no longer readable. */
                close(*reserve);
                if (netsock_unix_listener_accept(l, 0, &s, NULL) == 0) {
                        netsock_unix_stream_close(s);
                        (*dropped)++;
                }
                *reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
}

START_TEST(reserve_fd_keeps_a_level_triggered_loop_from_spinning_on_emfile) {
        char name[128];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *c1, *c2;
        struct netsock_poll *p;
        struct netsock_event ev[4];
        struct table t;
        int reserve, served = 0, dropped = 0, i;
        char buf[4];

        ns_keep(name, sizeof(name), ns_abstract_name("reserve"));
        ck_assert_int_eq(netsock_unix_listener_bind(name, NETSOCK_NONBLOCK, &l), 0);
        ck_assert_int_eq(netsock_poll_new(&p), 0);
        ck_assert_int_eq(netsock_poll_register(p, netsock_unix_listener_fd(l), 1, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(reserve, 0);
        ck_assert_int_eq(netsock_unix_stream_connect(name, 0, &c1), 0);
        ck_assert_int_eq(netsock_unix_stream_connect(name, 0, &c2), 0);
        table_fill(&t, 0);

        /* Without the reserve, the loop spins: readable, EMFILE, readable... */
        for (i = 0; i < 3; i++) {
                struct netsock_unix_stream *s = NS_SENTINEL(netsock_unix_stream);

                ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 0), 1);
                ck_assert_uint_eq(ev[0].token, 1);
                ck_assert_int_eq(netsock_unix_listener_accept(l, 0, &s, NULL), -EMFILE);
        }
        /* With it, one turn drains the queue and the loop goes to sleep. */
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 0), 1);
        serve_once(l, &reserve, &served, &dropped);
        ck_assert_int_eq(dropped, 1);
        ck_assert_int_eq(served, 0);
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 0), 1);   /* c2 still waits */
        serve_once(l, &reserve, &served, &dropped);
        ck_assert_int_eq(dropped, 2);
        ck_assert_int_ge(reserve, 0);
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 100), 0);
        /* The dropped clients see a clean EOF, not a hang. */
        ck_assert_int_eq(netsock_unix_stream_recv(c1, buf, sizeof(buf)), 0);
        ck_assert_int_eq(netsock_unix_stream_recv(c2, buf, sizeof(buf)), 0);
        /* Once fds are free again, connections are served as usual. */
        table_release(&t);
        netsock_unix_stream_close(c1);
        ck_assert_int_eq(netsock_unix_stream_connect(name, 0, &c1), 0);
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 1000), 1);
        serve_once(l, &reserve, &served, &dropped);
        ck_assert_int_eq(served, 1);
        ck_assert_int_eq(netsock_unix_stream_recv(c1, buf, sizeof(buf)), 2);
        close(reserve);
        netsock_unix_stream_close(c1);
        netsock_unix_stream_close(c2);
        netsock_poll_close(p);
        netsock_unix_listener_close(l);
}
END_TEST

/* ---- making fds at EMFILE: a clean failure, nothing left ---------------------- */

START_TEST(connect_at_emfile_fails_cleanly) {
        char un[128], sq[128];
        struct netsock_unix_listener *ul;
        struct netsock_seqpacket_listener *sl;
        struct netsock_tcp_listener *tl;
        struct netsock_addr ta;
        struct netsock_unix_stream *us = NS_SENTINEL(netsock_unix_stream);
        struct netsock_seqpacket *ss = NS_SENTINEL(netsock_seqpacket);
        struct netsock_tcp_stream *ts = NS_SENTINEL(netsock_tcp_stream);
        struct table t;

        ns_keep(un, sizeof(un), ns_abstract_name("c-stream"));
        ns_keep(sq, sizeof(sq), ns_abstract_name("c-seq"));
        ck_assert_int_eq(netsock_unix_listener_bind(un, 0, &ul), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_bind(sq, 0, &sl), 0);
        tl = ns_tcp_listen("127.0.0.1:0", 0, &ta);
        table_fill(&t, 0);
        ck_assert_int_eq(netsock_unix_stream_connect(un, 0, &us), -EMFILE);
        ck_assert_int_eq(netsock_seqpacket_connect(sq, 0, &ss), -EMFILE);
        ck_assert_int_eq(netsock_tcp_stream_connect(&ta, 0, &ts), -EMFILE);
        ck_assert_int_eq(netsock_tcp_stream_connect(&ta, NETSOCK_NONBLOCK, &ts), -EMFILE);
        ck_assert_ptr_eq(us, NS_SENTINEL(netsock_unix_stream));
        ck_assert_ptr_eq(ss, NS_SENTINEL(netsock_seqpacket));
        ck_assert_ptr_eq(ts, NS_SENTINEL(netsock_tcp_stream));
        table_release(&t);
        netsock_tcp_listener_close(tl);
        netsock_seqpacket_listener_close(sl);
        netsock_unix_listener_close(ul);
}
END_TEST

/* A pair needs two fds: with one free, it fails and that one stays free. */
START_TEST(pair_with_one_free_fd_fails_cleanly) {
        struct netsock_unix_stream *ua = NS_SENTINEL(netsock_unix_stream), *ub = ua;
        struct netsock_seqpacket *sa = NS_SENTINEL(netsock_seqpacket), *sb = sa;
        struct table t;

        table_fill(&t, 1);
        ck_assert_int_eq(netsock_unix_stream_pair(0, &ua, &ub), -EMFILE);
        ck_assert_int_eq(netsock_seqpacket_pair(NETSOCK_NONBLOCK, &sa, &sb), -EMFILE);
        ck_assert_ptr_eq(ua, NS_SENTINEL(netsock_unix_stream));
        ck_assert_ptr_eq(ub, NS_SENTINEL(netsock_unix_stream));
        ck_assert_ptr_eq(sa, NS_SENTINEL(netsock_seqpacket));
        ck_assert_ptr_eq(sb, NS_SENTINEL(netsock_seqpacket));
        ck_assert_int_eq(count_free_slots(), 1);
        table_release(&t);
}
END_TEST

START_TEST(try_clone_at_emfile_fails_cleanly) {
        struct netsock_unix_stream *a, *b, *ca = NS_SENTINEL(netsock_unix_stream);
        struct netsock_tcp_listener *tl, *ctl = NS_SENTINEL(netsock_tcp_listener);
        struct netsock_addr ta;
        struct table t;

        ck_assert_int_eq(netsock_unix_stream_pair(0, &a, &b), 0);
        tl = ns_tcp_listen("127.0.0.1:0", 0, &ta);
        table_fill(&t, 0);
        ck_assert_int_eq(netsock_unix_stream_try_clone(a, &ca), -EMFILE);
        ck_assert_int_eq(netsock_tcp_listener_try_clone(tl, &ctl), -EMFILE);
        ck_assert_ptr_eq(ca, NS_SENTINEL(netsock_unix_stream));
        ck_assert_ptr_eq(ctl, NS_SENTINEL(netsock_tcp_listener));
        /* The originals are unharmed. */
        ck_assert_int_eq(netsock_unix_stream_send(a, "o", 1), 1);
        table_release(&t);
        netsock_tcp_listener_close(tl);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* poll_new makes an epoll fd and an eventfd: with one free, the epoll fd
 * is made and must be closed again when the eventfd fails. */
START_TEST(poll_new_at_emfile_fails_cleanly) {
        struct netsock_poll *p = (struct netsock_poll *) (void *) &ns_sentinel_byte;
        struct table t;
        int spare;

        for (spare = 0; spare <= 1; spare++) {
                table_fill(&t, spare);
                ck_assert_int_eq(netsock_poll_new(&p), -EMFILE);
                ck_assert_ptr_eq(p, (struct netsock_poll *) (void *) &ns_sentinel_byte);
                ck_assert_int_eq(count_free_slots(), spare);
                table_release(&t);
        }
}
END_TEST

/* A REPLACE_STALE bind holds a lock file and a socket (and probes a stale
 * file with a third fd): short of any of them, it fails with -EMFILE and
 * leaves the directory as it found it. */
START_TEST(replace_stale_bind_at_emfile_leaves_no_file) {
        char path[512], lock[520];
        struct netsock_unix_listener *l = NS_SENTINEL(netsock_unix_listener);
        struct table t;
        ino_t stale;

        ns_keep(path, sizeof(path), ns_tmppath("s.sock"));
        snprintf(lock, sizeof(lock), "%s.lock", path);
        table_fill(&t, 1);
        ck_assert_int_eq(netsock_unix_listener_bind(path, NETSOCK_REPLACE_STALE, &l), -EMFILE);
        ck_assert_ptr_eq(l, NS_SENTINEL(netsock_unix_listener));
        ck_assert(!ns_path_exists(path));
        ck_assert(!ns_path_exists(lock));
        ck_assert_int_eq(count_free_slots(), 1);
        table_release(&t);

        ns_make_stale_socket_file(path, SOCK_STREAM);
        stale = ns_inode_of(path);
        table_fill(&t, 2);
        ck_assert_int_eq(netsock_unix_listener_bind(path, NETSOCK_REPLACE_STALE, &l), -EMFILE);
        ck_assert_ptr_eq(l, NS_SENTINEL(netsock_unix_listener));
        ck_assert_uint_eq(ns_inode_of(path), stale);
        ck_assert(!ns_path_exists(lock));
        ck_assert_int_eq(count_free_slots(), 2);
        table_release(&t);
        /* With fds to spare it works. */
        ck_assert_int_eq(netsock_unix_listener_bind(path, NETSOCK_REPLACE_STALE | NETSOCK_REMOVE_ON_CLOSE, &l), 0);
        netsock_unix_listener_close(l);
        ck_assert(!ns_path_exists(path));
}
END_TEST

static Suite *make(void) {
        Suite *s = suite_create("limits");
        TCase *tc;

        tc = ns_tcase(s, "recv_fds");
        tcase_set_tags(tc, "no-valgrind");
        tcase_add_test(tc, unix_stream_recv_fds_at_emfile_reports_ctrunc_and_returns_payload);
        tcase_add_test(tc, seqpacket_recv_fds_with_full_table_reports_ctrunc_and_returns_payload);

        tc = ns_tcase(s, "accept");
        tcase_set_tags(tc, "no-valgrind");
        tcase_add_test(tc, unix_accept_at_emfile_fails_and_the_listener_accepts_later);
        tcase_add_test(tc, seqpacket_accept_at_emfile_fails_and_the_listener_accepts_later);
        tcase_add_test(tc, tcp_accept_at_emfile_fails_and_the_listener_accepts_later);
        tcase_add_test(tc, reserve_fd_keeps_a_level_triggered_loop_from_spinning_on_emfile);

        tc = ns_tcase(s, "making fds");
        tcase_set_tags(tc, "no-valgrind");
        tcase_add_test(tc, connect_at_emfile_fails_cleanly);
        tcase_add_test(tc, pair_with_one_free_fd_fails_cleanly);
        tcase_add_test(tc, try_clone_at_emfile_fails_cleanly);
        tcase_add_test(tc, poll_new_at_emfile_fails_cleanly);
        tcase_add_test(tc, replace_stale_bind_at_emfile_leaves_no_file);
        return s;
}

NS_TEST_MAIN(make)
