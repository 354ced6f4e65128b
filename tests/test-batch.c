/* SPDX-License-Identifier: MIT */
/*
 * Batched seqpacket I/O (API.md section 13, issue 12): send_batch and
 * recv_batch over sendmmsg / recvmmsg.  Exact bytes and lengths of every
 * packet; truncation; zero-length packets versus EOF (Linux's recvmmsg fills
 * every slot after EOF with zero-length entries, the library must not count
 * them); the 1024-per-call limit; would-block; and the error that sendmmsg
 * drops after some packets went, which the library keeps for the next call.
 *
 * Every test runs under the fd-leak fixture of common.c.  Threads report
 * through their argument struct only; the main thread asserts.
 */
#include "config.h"
#include "common.h"

#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------ */

static void make_pair(int flags, struct netsock_seqpacket **a, struct netsock_seqpacket **b) {
        *a = *b = NULL;
        ck_assert_int_eq(netsock_seqpacket_pair(flags, a, b), 0);
}

static void close_all(struct netsock_seqpacket *a, struct netsock_seqpacket *b) {
        netsock_seqpacket_close(a);
        netsock_seqpacket_close(b);
}

/* Byte j of test packet i. */
static unsigned char pkt_byte(size_t i, size_t j) {
        return (unsigned char) (i * 31u + j * 7u + 1u);
}

static void fill_pkt(unsigned char *buf, size_t i, size_t len) {
        size_t j;

        for (j = 0; j < len; j++)
                buf[j] = pkt_byte(i, j);
}

static void assert_pkt(const unsigned char *buf, size_t i, size_t len) {
        size_t j;

        for (j = 0; j < len; j++)
                ck_assert_msg(buf[j] == pkt_byte(i, j), "packet %zu byte %zu", i, j);
}

/* Sends one packet of len test bytes with the plain call. */
static void send_one(struct netsock_seqpacket *s, size_t i, size_t len) {
        unsigned char buf[4096];

        ck_assert_uint_le(len, sizeof(buf));
        fill_pkt(buf, i, len);
        ck_assert_int_eq(netsock_seqpacket_send(s, buf, len), (ssize_t) len);
}

/* Receive slots: n packets of cap bytes each, len and truncated preset to
 * values no call stores, so an untouched slot shows. */
#define SLOT_CAP 1024
struct slots {
        size_t n;
        struct netsock_packet p[64];
        struct iovec iov[64];
        unsigned char buf[64][SLOT_CAP];
};

static void slots_init(struct slots *sl, size_t n, size_t cap) {
        size_t i;

        ck_assert_uint_le(n, 64);
        ck_assert_uint_le(cap, SLOT_CAP);
        sl->n = n;
        for (i = 0; i < n; i++) {
                memset(sl->buf[i], 0xee, SLOT_CAP);
                sl->iov[i].iov_base = sl->buf[i];
                sl->iov[i].iov_len = cap;
                sl->p[i].iov = &sl->iov[i];
                sl->p[i].iovcnt = 1;
                sl->p[i].len = 77777;
                sl->p[i].truncated = true;
        }
}

static ssize_t recv_slots(struct netsock_seqpacket *s, struct slots *sl) {
        return netsock_seqpacket_recv_batch(s, sl->p, sl->n);
}

static void assert_slot(const struct slots *sl, size_t k, size_t i, size_t len, bool truncated) {
        ck_assert_uint_eq(sl->p[k].len, len);
        ck_assert_int_eq(sl->p[k].truncated, truncated);
        assert_pkt(sl->buf[k], i, len);
}

/* Sends packets 0 .. n-1 of lens[i] bytes, one plain send each. */
static void send_lens(struct netsock_seqpacket *s, const size_t *lens, size_t n) {
        size_t i;

        for (i = 0; i < n; i++)
                send_one(s, i, lens[i]);
}

/* Asserts that slots 0 .. n-1 hold whole packets first .. first+n-1 of
 * lens[0 .. n-1] bytes. */
static void assert_slots(const struct slots *sl, size_t first, const size_t *lens, size_t n) {
        size_t k;

        for (k = 0; k < n; k++)
                assert_slot(sl, k, first + k, lens[k], false);
}

static void assert_slot_untouched(const struct slots *sl, size_t k) {
        ck_assert_uint_eq(sl->p[k].len, 77777);
        ck_assert_int_eq(sl->p[k].truncated, true);
}

static void assert_nothing_queued(struct netsock_seqpacket *s) {
        ck_assert_int_eq(ns_poll_fd(netsock_seqpacket_fd(s), POLLIN, 0), 0);
}

/* ---- round trips ---------------------------------------------------------- */

START_TEST(batch_of_32_round_trips_exact_bytes_and_lengths) {
        static unsigned char out[32][600];
        static struct slots sl;
        struct netsock_seqpacket *a, *b;
        struct netsock_packet p[32];
        struct iovec iov[32][2];
        size_t i, len[32];

        make_pair(0, &a, &b);
        for (i = 0; i < 32; i++) {
                len[i] = (i * 37u) % 600u;   /* 0 (first), then 37, 74, ... */
                fill_pkt(out[i], i, len[i]);
                /* Odd packets in two pieces, to use the iovec. */
                iov[i][0].iov_base = out[i];
                iov[i][0].iov_len = i % 2 ? len[i] / 3 : len[i];
                iov[i][1].iov_base = out[i] + iov[i][0].iov_len;
                iov[i][1].iov_len = len[i] - iov[i][0].iov_len;
                p[i].iov = iov[i];
                p[i].iovcnt = i % 2 ? 2 : 1;
                p[i].len = 99999;
        }
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p, 32), 32);
        for (i = 0; i < 32; i++)
                ck_assert_uint_eq(p[i].len, len[i]);

        slots_init(&sl, 40, SLOT_CAP);
        ck_assert_int_eq(recv_slots(b, &sl), 32);
        for (i = 0; i < 32; i++)
                assert_slot(&sl, i, i, len[i], false);
        assert_slot_untouched(&sl, 32);
        assert_nothing_queued(b);
        close_all(a, b);
}
END_TEST

START_TEST(recv_batch_reports_truncation_and_keeps_boundaries) {
        static struct slots sl;
        struct netsock_seqpacket *a, *b;

        static const size_t lens[] = { 10, 100, 50, 51 };

        make_pair(0, &a, &b);
        send_lens(a, lens, 4);
        slots_init(&sl, 4, 50);
        ck_assert_int_eq(recv_slots(b, &sl), 4);
        assert_slot(&sl, 0, 0, 10, false);
        assert_slot(&sl, 1, 1, 50, true);    /* the other 50 bytes are gone */
        assert_slot(&sl, 2, 2, 50, false);   /* exactly the capacity is not truncated */
        assert_slot(&sl, 3, 3, 50, true);
        assert_nothing_queued(b);
        close_all(a, b);
}
END_TEST

START_TEST(truncated_to_nothing_at_the_end_is_a_packet_even_after_hangup) {
        /* A slot with no room stores 0 bytes of a real packet: that is not
         * EOF, even at the end of a full batch with the peer gone. */
        static struct slots sl;
        struct netsock_seqpacket *a, *b;

        make_pair(0, &a, &b);
        send_one(a, 0, 5);
        send_one(a, 1, 5);
        netsock_seqpacket_close(a);
        slots_init(&sl, 2, 16);
        sl.p[1].iovcnt = 0;
        ck_assert_int_eq(recv_slots(b, &sl), 2);
        assert_slot(&sl, 0, 0, 5, false);
        ck_assert_uint_eq(sl.p[1].len, 0);
        ck_assert(sl.p[1].truncated);
        ck_assert_int_eq(recv_slots(b, &sl), 0);
        netsock_seqpacket_close(b);
}
END_TEST

START_TEST(blocking_recv_batch_takes_what_is_queued_without_waiting_for_more) {
        static struct slots sl;
        struct netsock_seqpacket *a, *b;

        static const size_t lens[] = { 3, 4 };

        make_pair(0, &a, &b);
        send_lens(a, lens, 2);
        slots_init(&sl, 16, SLOT_CAP);
        ck_assert_int_eq(recv_slots(b, &sl), 2);   /* MSG_WAITFORONE: no wait for 16 */
        assert_slots(&sl, 0, lens, 2);
        assert_slot_untouched(&sl, 2);
        close_all(a, b);
}
END_TEST

/* ---- zero-length packets and EOF ------------------------------------------ */

START_TEST(zero_length_packets_in_the_middle_are_counted) {
        static struct slots sl;
        struct netsock_seqpacket *a, *b;

        static const size_t lens[] = { 3, 0, 0, 4 };

        make_pair(0, &a, &b);
        send_lens(a, lens, 4);
        slots_init(&sl, 8, SLOT_CAP);
        ck_assert_int_eq(recv_slots(b, &sl), 4);
        assert_slots(&sl, 0, lens, 4);
        close_all(a, b);
}
END_TEST

START_TEST(zero_length_packets_filling_the_batch_count_while_the_peer_is_there) {
        static struct slots sl;
        struct netsock_seqpacket *a, *b;

        static const size_t lens[] = { 3, 0, 0, 0 };

        make_pair(0, &a, &b);
        send_lens(a, lens, 4);
        slots_init(&sl, 3, SLOT_CAP);          /* full batch ending in zero lengths */
        ck_assert_int_eq(recv_slots(b, &sl), 3);
        assert_slots(&sl, 0, lens, 3);
        slots_init(&sl, 3, SLOT_CAP);          /* fewer queued than slots */
        ck_assert_int_eq(recv_slots(b, &sl), 1);
        assert_slots(&sl, 3, lens + 3, 1);
        assert_slot_untouched(&sl, 1);
        close_all(a, b);
}
END_TEST

START_TEST(three_packets_then_hangup_give_3_then_0) {
        static struct slots sl;
        struct netsock_seqpacket *a, *b;
        static const size_t lens[] = { 10, 20, 30 };
        size_t n;

        for (n = 3; n <= 8; n += 5) {          /* exactly 3 slots, and more */
                make_pair(0, &a, &b);
                send_lens(a, lens, 3);
                netsock_seqpacket_close(a);
                slots_init(&sl, n, SLOT_CAP);
                ck_assert_int_eq(recv_slots(b, &sl), 3);
                assert_slots(&sl, 0, lens, 3);
                if (n > 3)
                        assert_slot_untouched(&sl, 3);  /* EOF entries not stored */
                slots_init(&sl, n, SLOT_CAP);
                ck_assert_int_eq(recv_slots(b, &sl), 0);  /* blocking: EOF at once */
                assert_slot_untouched(&sl, 0);
                ck_assert_int_eq(recv_slots(b, &sl), 0);
                netsock_seqpacket_close(b);
        }
}
END_TEST

START_TEST(eof_on_a_nonblocking_handle_is_0_not_eagain) {
        static struct slots sl;
        struct netsock_seqpacket *a, *b;

        make_pair(NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_shutdown(a, SHUT_WR), 0);
        slots_init(&sl, 4, SLOT_CAP);
        ck_assert_int_eq(recv_slots(b, &sl), 0);
        close_all(a, b);
}
END_TEST

START_TEST(zero_length_packets_before_more_data_count_after_hangup) {
        /* A, empty, empty, B, then the hang-up: the full first batch ends in
         * zero lengths, but B is still queued, so they were packets. */
        static struct slots sl;
        struct netsock_seqpacket *a, *b;

        static const size_t lens[] = { 6, 0, 0, 9 };

        make_pair(0, &a, &b);
        send_lens(a, lens, 4);
        netsock_seqpacket_close(a);
        slots_init(&sl, 3, SLOT_CAP);
        ck_assert_int_eq(recv_slots(b, &sl), 3);
        assert_slots(&sl, 0, lens, 3);
        slots_init(&sl, 3, SLOT_CAP);
        ck_assert_int_eq(recv_slots(b, &sl), 1);
        assert_slots(&sl, 3, lens + 3, 1);
        ck_assert_int_eq(recv_slots(b, &sl), 0);
        netsock_seqpacket_close(b);
}
END_TEST

/* ---- limits, would-block, arguments ---------------------------------------- */

#define MANY 1025
struct many_sender {
        struct netsock_seqpacket *s;
        struct netsock_packet p[MANY];
        struct iovec iov[MANY];
        uint32_t id[MANY];
        ssize_t r1, r2;
};

static void *send_many(void *arg) {
        struct many_sender *m = arg;

        m->r1 = netsock_seqpacket_send_batch(m->s, m->p, MANY);
        m->r2 = m->r1 > 0 ? netsock_seqpacket_send_batch(m->s, m->p + m->r1, MANY - (size_t) m->r1) : 0;
        return NULL;
}

START_TEST(batch_of_1025_moves_at_most_1024_per_call) {
        static struct many_sender m;
        static struct netsock_packet p[MANY];
        static struct iovec iov[MANY];
        static uint32_t id[MANY];
        struct netsock_seqpacket *a, *b;
        pthread_t t;
        size_t i, total = 0, calls = 0;

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_set_write_timeout(a, 10000), 0);  /* no hang if broken */
        ck_assert_int_eq(netsock_seqpacket_set_read_timeout(b, 10000), 0);
        m.s = a;
        for (i = 0; i < MANY; i++) {
                m.id[i] = (uint32_t) i;
                m.iov[i].iov_base = &m.id[i];
                m.iov[i].iov_len = sizeof(m.id[i]);
                m.p[i].iov = &m.iov[i];
                m.p[i].iovcnt = 1;
                iov[i].iov_base = &id[i];
                iov[i].iov_len = sizeof(id[i]);
                p[i].iov = &iov[i];
                p[i].iovcnt = 1;
                id[i] = UINT32_MAX;
        }
        ns_thread_start_without_sigalrm(&t, send_many, &m);
        while (total < MANY) {
                ssize_t r = netsock_seqpacket_recv_batch(b, p + total, MANY - total);

                ck_assert_int_gt(r, 0);
                ck_assert_int_le(r, 1024);
                total += (size_t) r;
                calls++;
        }
        ck_assert_int_eq(pthread_join(t, NULL), 0);
        ck_assert_int_eq(m.r1, 1024);   /* blocking: all 1024 of the first call went */
        ck_assert_int_eq(m.r2, 1);
        ck_assert_uint_ge(calls, 2);
        for (i = 0; i < MANY; i++) {
                ck_assert_uint_eq(p[i].len, sizeof(uint32_t));
                ck_assert_uint_eq(id[i], i);
                ck_assert_uint_eq(m.p[i].len, sizeof(uint32_t));
        }
        assert_nothing_queued(b);
        close_all(a, b);
}
END_TEST

START_TEST(nonblocking_recv_batch_with_nothing_queued_is_eagain) {
        static struct slots sl;
        struct netsock_seqpacket *a, *b;

        make_pair(NETSOCK_NONBLOCK, &a, &b);
        slots_init(&sl, 4, SLOT_CAP);
        ck_assert_int_eq(recv_slots(b, &sl), -EAGAIN);
        assert_slot_untouched(&sl, 0);
        close_all(a, b);
}
END_TEST

START_TEST(n_zero_is_zero) {
        struct netsock_seqpacket *a, *b;
        struct netsock_packet p = { NULL, 0, 5, true };

        make_pair(NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, NULL, 0), 0);
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, &p, 0), 0);
        ck_assert_int_eq(netsock_seqpacket_recv_batch(b, NULL, 0), 0);   /* not -EAGAIN */
        ck_assert_int_eq(netsock_seqpacket_recv_batch(b, &p, 0), 0);
        ck_assert_uint_eq(p.len, 5);
        assert_nothing_queued(b);
        close_all(a, b);
}
END_TEST

START_TEST(bad_arguments_are_einval_and_send_nothing) {
        struct netsock_seqpacket *a, *b;
        struct iovec iov = { "x", 1 };
        struct netsock_packet p[2] = { { &iov, 1, 9, false }, { &iov, 1, 9, false } };

        make_pair(NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send_batch(NULL, p, 1), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_recv_batch(NULL, p, 1), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_recv_batch(b, NULL, 1), -EINVAL);
        p[1].iov = NULL;                        /* the second packet is bad: none goes */
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p, 2), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_recv_batch(b, p, 2), -EINVAL);
        p[1].iov = &iov;
        p[1].iovcnt = (size_t) IOV_MAX + 1;
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p, 2), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_recv_batch(b, p, 2), -EINVAL);
        ck_assert_uint_eq(p[0].len, 9);
        assert_nothing_queued(b);
        p[1].iov = NULL;                        /* iov NULL with iovcnt 0 is an empty packet */
        p[1].iovcnt = 0;
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p, 2), 2);
        ck_assert_uint_eq(p[0].len, 1);
        ck_assert_uint_eq(p[1].len, 0);
        close_all(a, b);
}
END_TEST

/* ---- errors after some packets went ---------------------------------------- */

static unsigned char big[4096];

/* n packets of `big` (4 KiB each). */
static void big_packets(struct netsock_packet *p, struct iovec *iov, size_t n) {
        size_t i;

        iov->iov_base = big;
        iov->iov_len = sizeof(big);
        for (i = 0; i < n; i++) {
                p[i].iov = iov;
                p[i].iovcnt = 1;
                p[i].len = 0;
        }
}

START_TEST(full_nonblocking_socket_gives_a_short_count_and_keeps_no_error) {
        static struct netsock_packet p[1024];
        static struct slots sl;
        struct netsock_seqpacket *a, *b;
        struct iovec iov;
        ssize_t r, got = 0;
        int err = 1;

        make_pair(NETSOCK_NONBLOCK, &a, &b);
        big_packets(p, &iov, 1024);            /* 4 MiB: far more than the socket takes */
        r = netsock_seqpacket_send_batch(a, p, 1024);
        ck_assert_int_gt(r, 0);
        ck_assert_int_lt(r, 1024);
        ck_assert_uint_eq(p[r - 1].len, sizeof(big));
        ck_assert_uint_eq(p[r].len, 0);
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p, 1024), -EAGAIN);   /* still full */
        ck_assert_int_eq(netsock_seqpacket_take_error(a, &err), 0);
        ck_assert_int_eq(err, 0);
        slots_init(&sl, 64, 16);
        while (got < r) {
                ssize_t k = recv_slots(b, &sl);

                ck_assert_int_gt(k, 0);
                got += k;
        }
        ck_assert_int_eq(got, r);              /* the -EAGAIN call sent nothing */
        ck_assert_int_eq(recv_slots(b, &sl), -EAGAIN);
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p, 1), 1);   /* nothing was kept */
        close_all(a, b);
}
END_TEST

START_TEST(error_after_some_packets_is_returned_by_the_next_call) {
        /* A packet larger than the send buffer is EMSGSIZE: sendmmsg sends
         * the two before it, returns 2 and drops the error. */
        static unsigned char huge[512 * 1024];
        static struct slots sl;
        struct netsock_seqpacket *a, *b;
        struct iovec small = { "ab", 2 }, hv = { huge, sizeof(huge) };
        struct netsock_packet p[4] = { { &small, 1, 0, false }, { &small, 1, 0, false },
                                       { &hv, 1, 0, false }, { &small, 1, 0, false } };
        int err = 0;

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p, 4), 2);
        ck_assert_uint_eq(p[1].len, 2);
        ck_assert_uint_eq(p[2].len, 0);
        /* Peeks report it and leave it; the next call that moves packets
         * returns it, once; the one after works again. */
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p, 0), 0);    /* n 0 leaves it kept */
        ck_assert_int_eq(netsock_seqpacket_recv_batch(a, p, 0), 0);
        ck_assert_int_eq(netsock_seqpacket_peek(a, &err, 1, NULL), -EMSGSIZE);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(a), -EMSGSIZE);
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p + 3, 1), -EMSGSIZE);
        ck_assert_uint_eq(p[3].len, 0);
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p + 3, 1), 1);

        /* The same through each other kind of call. */
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p, 4), 2);
        ck_assert_int_eq(netsock_seqpacket_send(a, "c", 1), -EMSGSIZE);
        ck_assert_int_eq(netsock_seqpacket_send(a, "c", 1), 1);
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p, 4), 2);
        ck_assert_int_eq(netsock_seqpacket_take_error(a, &err), 0);
        ck_assert_int_eq(err, -EMSGSIZE);
        ck_assert_int_eq(netsock_seqpacket_take_error(a, &err), 0);
        ck_assert_int_eq(err, 0);
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p, 4), 2);
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "d", 1, NULL, 0), -EMSGSIZE);
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, p, 4), 2);
        slots_init(&sl, 1, 16);
        ck_assert_int_eq(recv_slots(a, &sl), -EMSGSIZE);
        ck_assert_int_eq(netsock_seqpacket_set_nonblocking(a, true), 0);
        ck_assert_int_eq(recv_slots(a, &sl), -EAGAIN);

        /* b got 2 + 1 + 2 + 1 + 2 + 2 + 2 packets, none of them huge. */
        slots_init(&sl, 64, 16);
        ck_assert_int_eq(recv_slots(b, &sl), 12);
        ck_assert_uint_eq(sl.p[11].len, 2);
        close_all(a, b);
}
END_TEST

struct shutter {
        struct netsock_seqpacket *s;
        bool close;                     /* close s instead of shutting reading down */
        int polled;
};

/* Waits (at most 5 s) until a packet is queued on s, then shuts its reading
 * side down or closes it: the peer's blocked send wakes with an error. */
static void *shut_read_when_data(void *arg) {
        struct shutter *sh = arg;
        struct pollfd p = { .fd = netsock_seqpacket_fd(sh->s), .events = POLLIN };

        sh->polled = poll(&p, 1, 5000);
        ns_sleep_ms(50);                       /* let the sender block on the full socket */
        if (sh->close)
                netsock_seqpacket_close(sh->s);
        else
                netsock_seqpacket_shutdown(sh->s, SHUT_RD);
        return NULL;
}

/* Sends 1024 packets of 4 KiB (blocking) to b while a thread shuts b down
 * or closes it once some arrived; returns what send_batch returned. */
static ssize_t send_batch_until_peer_goes(struct netsock_seqpacket *a, struct netsock_seqpacket *b, bool close) {
        static struct netsock_packet p[1024];
        struct shutter sh = { b, close, -2 };
        struct iovec iov;
        pthread_t t;
        ssize_t r;

        ns_assert_sigpipe_is_fatal();
        ck_assert_int_eq(netsock_seqpacket_set_write_timeout(a, 10000), 0);  /* no hang if broken */
        big_packets(p, &iov, 1024);
        ns_thread_start_without_sigalrm(&t, shut_read_when_data, &sh);
        r = netsock_seqpacket_send_batch(a, p, 1024);   /* blocks when full, until the peer goes */
        ck_assert_int_eq(pthread_join(t, NULL), 0);
        ck_assert_int_eq(sh.polled, 1);
        return r;
}

START_TEST(peer_closing_mid_batch_gives_the_count_then_epipe) {
        /* The close with unread packets sets ECONNRESET on a; the packet
         * that met it is the one sendmmsg dropped, and the packet sent on
         * its own then meets the hang-up: EPIPE. */
        struct netsock_seqpacket *a, *b;
        char z[1] = { 'z' };
        struct iovec iov = { z, 1 };
        struct netsock_packet one = { &iov, 1, 0, false };
        ssize_t r;

        make_pair(0, &a, &b);
        r = send_batch_until_peer_goes(a, b, true);
        ck_assert_int_gt(r, 0);
        ck_assert_int_lt(r, 1024);
        /* A receive shows which is the kept one: after it, a's receive
         * sees the hang-up, EOF. */
        ck_assert_int_eq(netsock_seqpacket_recv_batch(a, &one, 1), -EPIPE);   /* kept */
        ck_assert_uint_eq(one.len, 0);
        ck_assert_int_eq(netsock_seqpacket_recv_batch(a, &one, 1), 0);
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, &one, 1), -EPIPE);   /* the kernel's own */
        netsock_seqpacket_close(a);
}
END_TEST

START_TEST(epipe_after_some_packets_is_kept_for_the_next_call) {
        struct netsock_seqpacket *a, *b;
        struct iovec iov = { "z", 1 };
        struct netsock_packet one = { &iov, 1, 0, false };
        static struct slots sl;
        ssize_t r;

        make_pair(0, &a, &b);
        r = send_batch_until_peer_goes(a, b, false);
        ck_assert_int_gt(r, 0);
        ck_assert_int_lt(r, 1024);
        /* The kept error comes first even from a receive, which would
         * otherwise be -EAGAIN; then it is gone. */
        ck_assert_int_eq(netsock_seqpacket_set_nonblocking(a, true), 0);
        slots_init(&sl, 4, 16);
        ck_assert_int_eq(recv_slots(a, &sl), -EPIPE);
        ck_assert_int_eq(recv_slots(a, &sl), -EAGAIN);
        ck_assert_int_eq(netsock_seqpacket_send_batch(a, &one, 1), -EPIPE);  /* the kernel's own */
        close_all(a, b);
}
END_TEST

static Suite *batch_suite(void) {
        Suite *s = suite_create("batch");
        TCase *tc;

        tc = ns_tcase(s, "round-trip");
        tcase_add_test(tc, batch_of_32_round_trips_exact_bytes_and_lengths);
        tcase_add_test(tc, recv_batch_reports_truncation_and_keeps_boundaries);
        tcase_add_test(tc, truncated_to_nothing_at_the_end_is_a_packet_even_after_hangup);
        tcase_add_test(tc, blocking_recv_batch_takes_what_is_queued_without_waiting_for_more);

        tc = ns_tcase(s, "zero-length-and-eof");
        tcase_add_test(tc, zero_length_packets_in_the_middle_are_counted);
        tcase_add_test(tc, zero_length_packets_filling_the_batch_count_while_the_peer_is_there);
        tcase_add_test(tc, three_packets_then_hangup_give_3_then_0);
        tcase_add_test(tc, eof_on_a_nonblocking_handle_is_0_not_eagain);
        tcase_add_test(tc, zero_length_packets_before_more_data_count_after_hangup);

        tc = ns_tcase(s, "limits");
        tcase_add_test(tc, batch_of_1025_moves_at_most_1024_per_call);
        tcase_add_test(tc, nonblocking_recv_batch_with_nothing_queued_is_eagain);
        tcase_add_test(tc, n_zero_is_zero);
        tcase_add_test(tc, bad_arguments_are_einval_and_send_nothing);

        tc = ns_tcase(s, "errors");
        tcase_add_test(tc, full_nonblocking_socket_gives_a_short_count_and_keeps_no_error);
        tcase_add_test(tc, error_after_some_packets_is_returned_by_the_next_call);
        tcase_add_test(tc, epipe_after_some_packets_is_kept_for_the_next_call);
        tcase_add_test(tc, peer_closing_mid_batch_gives_the_count_then_epipe);
        return s;
}

NS_TEST_MAIN(batch_suite)
