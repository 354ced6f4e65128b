/* SPDX-License-Identifier: MIT */
/*
 * The TCP options of API.md §14 on the builder (S), the stream (C) and the
 * listener (L), and netsock_tcp_stream_info.  Each option must read back
 * exactly what the kernel holds; where an effect is cheap to see on
 * loopback the test looks at it too (CORK holds a write back, MAXSEG shows
 * in snd_mss, NOTSENT_LOWAT in writability, FREEBIND in bind).
 */
#include "config.h"
#include "common.h"

#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

/* Whether this process has capability cap in its effective set. */
static bool have_cap(int cap) {
        unsigned long long eff = 0;
        char line[256];
        FILE *f = fopen("/proc/self/status", "r");

        ck_assert_ptr_nonnull(f);
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "CapEff: %llx", &eff) == 1)
                        break;
        fclose(f);
        return (eff >> cap) & 1;
}

#define CAP_NET_ADMIN 12
#define CAP_NET_RAW 13

static struct netsock_tcp_socket *new_socket(int family) {
        struct netsock_tcp_socket *s = NULL;

        if (family == 6)
                ck_assert_int_eq(netsock_tcp_socket_new_v6(0, &s), 0);
        else
                ck_assert_int_eq(netsock_tcp_socket_new_v4(0, &s), 0);
        return s;
}

/* The families to test here: 4, and 6 where the host has IPv6. */
static int families(int fam[2]) {
        fam[0] = 4;
        fam[1] = 6;
        return ns_have_ipv6() ? 2 : 1;
}

/* A bool option round trip: on, then off, each read back. */
#define ASSERT_BOOL_ROUND_TRIP(T, h, name) do {                                 \
                bool v_ = false;                                                \
                ck_assert_int_eq(netsock_##T##_set_##name(h, true), 0);         \
                ck_assert_int_eq(netsock_##T##_##name(h, &v_), 0);              \
                ck_assert(v_);                                                  \
                ck_assert_int_eq(netsock_##T##_set_##name(h, false), 0);        \
                ck_assert_int_eq(netsock_##T##_##name(h, &v_), 0);              \
                ck_assert(!v_);                                                 \
        } while (0)

/* A numeric option: set `set`, read back exactly `expect`. */
#define ASSERT_NUM_ROUND_TRIP(T, h, name, VT, set, expect) do {                 \
                VT v_ = 0;                                                      \
                ck_assert_int_eq(netsock_##T##_set_##name(h, set), 0);          \
                ck_assert_int_eq(netsock_##T##_##name(h, &v_), 0);              \
                ck_assert_msg(v_ == (VT) (expect), #name ": set %lld, read %lld, expected %lld", \
                              (long long) (set), (long long) v_, (long long) (expect)); \
        } while (0)

/* The options S and C share, on either handle type T. */
#define ASSERT_TUNING_ROUND_TRIPS(T, h) do {                                    \
                unsigned i_ = 0, n_ = 0, c_ = 0;                                \
                char cc_[32];                                                   \
                ASSERT_NUM_ROUND_TRIP(T, h, user_timeout, unsigned, 5000, 5000); \
                ASSERT_NUM_ROUND_TRIP(T, h, user_timeout, unsigned, 0, 0);     \
                ASSERT_BOOL_ROUND_TRIP(T, h, cork);                             \
                ASSERT_BOOL_ROUND_TRIP(T, h, quickack);                         \
                ASSERT_NUM_ROUND_TRIP(T, h, notsent_lowat, unsigned, 16384, 16384); \
                ASSERT_NUM_ROUND_TRIP(T, h, priority, int, 5, 5);              \
                ASSERT_NUM_ROUND_TRIP(T, h, priority, int, 0, 0);              \
                ASSERT_NUM_ROUND_TRIP(T, h, incoming_cpu, int, 0, 0);          \
                ck_assert_int_eq(netsock_##T##_set_keepalive_params(h, 30, 10, 3), 0); \
                ck_assert_int_eq(netsock_##T##_keepalive_params(h, &i_, &n_, &c_), 0); \
                ck_assert_uint_eq(i_, 30);                                      \
                ck_assert_uint_eq(n_, 10);                                      \
                ck_assert_uint_eq(c_, 3);                                       \
                ck_assert_int_eq(netsock_##T##_set_congestion(h, "reno"), 0);  \
                ck_assert_int_eq(netsock_##T##_congestion(h, cc_, sizeof(cc_)), 4); \
                ck_assert_str_eq(cc_, "reno");                                  \
        } while (0)

/* ---- the builder (S) -------------------------------------------------------- */

START_TEST(socket_tuning_options_read_back_exactly) {
        int fam[2], i, n = families(fam);

        for (i = 0; i < n; i++) {
                struct netsock_tcp_socket *s = new_socket(fam[i]);

                ASSERT_TUNING_ROUND_TRIPS(tcp_socket, s);
                /* Unconnected: TCP_MAXSEG reads back the value asked for. */
                ASSERT_NUM_ROUND_TRIP(tcp_socket, s, max_segment, unsigned, 1000, 1000);
                netsock_tcp_socket_close(s);
        }
}
END_TEST

START_TEST(socket_binding_options_read_back_on_both_families) {
        int fam[2], i, n = families(fam);
        bool may_transparent = have_cap(CAP_NET_ADMIN) || have_cap(CAP_NET_RAW);

        for (i = 0; i < n; i++) {
                struct netsock_tcp_socket *s = new_socket(fam[i]);
                bool v = true;

                /* IP_FREEBIND on v4, IPV6_FREEBIND on v6: each reads back. */
                ck_assert_int_eq(netsock_tcp_socket_freebind(s, &v), 0);
                ck_assert(!v);
                ASSERT_BOOL_ROUND_TRIP(tcp_socket, s, freebind);
                ASSERT_BOOL_ROUND_TRIP(tcp_socket, s, bind_address_no_port);
                if (may_transparent) {
                        ASSERT_BOOL_ROUND_TRIP(tcp_socket, s, transparent);
                } else {
                        ck_assert_int_eq(netsock_tcp_socket_set_transparent(s, true), -EPERM);
                        fprintf(stderr, "socket_binding_options_read_back_on_both_families: no CAP_NET_ADMIN: transparent is EPERM\n");
                }
                netsock_tcp_socket_close(s);
        }
}
END_TEST

START_TEST(socket_connection_setup_options_read_back) {
        struct netsock_tcp_socket *s = new_socket(4);

        ASSERT_NUM_ROUND_TRIP(tcp_socket, s, fastopen, unsigned, 5, 5);
        ASSERT_BOOL_ROUND_TRIP(tcp_socket, s, fastopen_connect);
        /* The kernel keeps whole SYN-ACK retransmission steps (1, 2, 4 s
         * ...) and reads back their sum: 5 s becomes 1 + 2 + 4 = 7. */
        ASSERT_NUM_ROUND_TRIP(tcp_socket, s, defer_accept, unsigned, 5, 7);
        ASSERT_NUM_ROUND_TRIP(tcp_socket, s, defer_accept, unsigned, 1, 1);
        ASSERT_NUM_ROUND_TRIP(tcp_socket, s, defer_accept, unsigned, 0, 0);
        netsock_tcp_socket_close(s);
}
END_TEST

START_TEST(mark_reads_back_or_is_eperm_without_cap_net_admin) {
        struct netsock_tcp_socket *s = new_socket(4);
        uint32_t m = 1;

        ck_assert_int_eq(netsock_tcp_socket_mark(s, &m), 0);
        ck_assert_uint_eq(m, 0);
        if (have_cap(CAP_NET_ADMIN)) {
                ASSERT_NUM_ROUND_TRIP(tcp_socket, s, mark, uint32_t, 42, 42);
                /* All 32 bits go through. */
                ASSERT_NUM_ROUND_TRIP(tcp_socket, s, mark, uint32_t, 0xfffffffeu, 0xfffffffeu);
        } else {
                ck_assert_int_eq(netsock_tcp_socket_set_mark(s, 42), -EPERM);
                fprintf(stderr, "mark_reads_back_or_is_eperm_without_cap_net_admin: no CAP_NET_ADMIN: EPERM\n");
        }
        netsock_tcp_socket_close(s);
}
END_TEST

START_TEST(incoming_cpu_is_minus_one_until_set) {
        struct netsock_tcp_socket *s = new_socket(4);
        int cpu = 0;

        ck_assert_int_eq(netsock_tcp_socket_incoming_cpu(s, &cpu), 0);
        ck_assert_int_eq(cpu, -1);
        netsock_tcp_socket_close(s);
}
END_TEST

START_TEST(congestion_errors_and_truncation) {
        struct netsock_tcp_socket *s = new_socket(4);
        char buf[3] = "xx";

        /* An algorithm the kernel does not have is its ENOENT. */
        ck_assert_int_eq(netsock_tcp_socket_set_congestion(s, "no-such-cc"), -ENOENT);
        /* 16 bytes or more: the kernel would cut the name, we refuse. */
        ck_assert_int_eq(netsock_tcp_socket_set_congestion(s, "0123456789abcdef"), -EINVAL);
        ck_assert_int_eq(netsock_tcp_socket_set_congestion(s, NULL), -EINVAL);
        ck_assert_int_eq(netsock_tcp_socket_set_congestion(s, "reno"), 0);
        /* snprintf-like: the whole length, a cut NUL-terminated copy. */
        ck_assert_int_eq(netsock_tcp_socket_congestion(s, buf, sizeof(buf)), 4);
        ck_assert_str_eq(buf, "re");
        ck_assert_int_eq(netsock_tcp_socket_congestion(s, NULL, 0), 4);
        ck_assert_int_eq(netsock_tcp_socket_congestion(s, NULL, 4), -EINVAL);
        netsock_tcp_socket_close(s);
}
END_TEST

START_TEST(values_the_kernel_or_the_type_rejects_are_einval) {
        struct netsock_tcp_socket *s = new_socket(4);
        unsigned v = 0;

        /* Below TCP_MIN_MSS (88): the kernel's EINVAL, nothing changed. */
        ck_assert_int_eq(netsock_tcp_socket_set_max_segment(s, 1000), 0);
        ck_assert_int_eq(netsock_tcp_socket_set_max_segment(s, 50), -EINVAL);
        ck_assert_int_eq(netsock_tcp_socket_max_segment(s, &v), 0);
        ck_assert_uint_eq(v, 1000);
        /* Above INT_MAX the kernel would see a negative int. */
        ck_assert_int_eq(netsock_tcp_socket_set_user_timeout(s, UINT_MAX), -EINVAL);
        ck_assert_int_eq(netsock_tcp_socket_set_keepalive_params(s, 32768, 0, 0), -EINVAL);
        ck_assert_int_eq(netsock_tcp_socket_set_cork(NULL, true), -EINVAL);
        ck_assert_int_eq(netsock_tcp_socket_cork(s, NULL), -EINVAL);
        ck_assert_int_eq(netsock_tcp_socket_mark(NULL, NULL), -EINVAL);
        netsock_tcp_socket_close(s);
}
END_TEST

START_TEST(freebind_lets_bind_take_an_address_the_host_lacks) {
        /* 198.51.100.0/24 is TEST-NET-2: no host has it. */
        struct netsock_addr a = ns_parse_addr("198.51.100.7:0");
        struct netsock_tcp_socket *s = new_socket(4);

        ck_assert_int_eq(netsock_tcp_socket_bind(s, &a), -EADDRNOTAVAIL);
        netsock_tcp_socket_close(s);
        s = new_socket(4);
        ck_assert_int_eq(netsock_tcp_socket_set_freebind(s, true), 0);
        ck_assert_int_eq(netsock_tcp_socket_bind(s, &a), 0);
        netsock_tcp_socket_close(s);
}
END_TEST

START_TEST(bind_address_no_port_leaves_the_port_to_connect) {
        struct netsock_addr a = ns_parse_addr("127.0.0.1:0"), local, to;
        struct netsock_tcp_listener *l = ns_tcp_listen("127.0.0.1:0", 0, &to);
        struct netsock_tcp_socket *s = new_socket(4);
        struct netsock_tcp_stream *c = NULL;

        ck_assert_int_eq(netsock_tcp_socket_set_bind_address_no_port(s, true), 0);
        ck_assert_int_eq(netsock_tcp_socket_bind(s, &a), 0);
        ck_assert_int_eq(netsock_tcp_socket_local_addr(s, &local), 0);
        ck_assert_uint_eq(netsock_addr_port(&local), 0);
        ck_assert_int_eq(netsock_tcp_socket_connect(s, &to, &c), 0);
        ck_assert_int_eq(netsock_tcp_stream_local_addr(c, &local), 0);
        ck_assert_uint_ne(netsock_addr_port(&local), 0);
        netsock_tcp_stream_close(c);
        netsock_tcp_listener_close(l);
}
END_TEST

START_TEST(max_segment_set_on_the_builder_shows_in_snd_mss) {
        struct netsock_addr to;
        struct netsock_tcp_listener *l = ns_tcp_listen("127.0.0.1:0", 0, &to);
        struct netsock_tcp_socket *s = new_socket(4);
        struct netsock_tcp_stream *c = NULL;
        struct netsock_tcp_info ti;
        unsigned mss = 0;

        ck_assert_int_eq(netsock_tcp_socket_set_max_segment(s, 1000), 0);
        ck_assert_int_eq(netsock_tcp_socket_connect(s, &to, &c), 0);
        ck_assert_int_eq(netsock_tcp_stream_info(c, &ti), 0);
        /* Connected, TCP_MAXSEG reads the working MSS: 1000 less the TCP
         * options every segment carries (12 bytes of timestamps). */
        ck_assert_int_eq(netsock_tcp_stream_max_segment(c, &mss), 0);
        ck_assert_uint_eq(ti.snd_mss, mss);
        ck_assert_uint_le(ti.snd_mss, 1000);
        ck_assert_uint_ge(ti.snd_mss, 1000 - 40);
        netsock_tcp_stream_close(c);
        netsock_tcp_listener_close(l);
}
END_TEST

/* ---- the listener (L) -------------------------------------------------------- */

START_TEST(listener_options_read_back) {
        struct netsock_addr a;
        struct netsock_tcp_listener *l = ns_tcp_listen("127.0.0.1:0", 0, &a);
        bool v6only = true;

        ASSERT_NUM_ROUND_TRIP(tcp_listener, l, incoming_cpu, int, 0, 0);
        ASSERT_NUM_ROUND_TRIP(tcp_listener, l, defer_accept, unsigned, 10, 15);
        ASSERT_NUM_ROUND_TRIP(tcp_listener, l, defer_accept, unsigned, 0, 0);
        if (have_cap(CAP_NET_ADMIN))
                ASSERT_NUM_ROUND_TRIP(tcp_listener, l, mark, uint32_t, 7, 7);
        else
                ck_assert_int_eq(netsock_tcp_listener_set_mark(l, 7), -EPERM);
        /* IPV6_V6ONLY does not exist on an IPv4 socket. */
        ck_assert_int_eq(netsock_tcp_listener_only_v6(l, &v6only), -EAFNOSUPPORT);
        ck_assert(v6only);
        ck_assert_int_eq(netsock_tcp_listener_only_v6(NULL, &v6only), -EINVAL);
        netsock_tcp_listener_close(l);
}
END_TEST

START_TEST(listener_only_v6_reports_what_bind_fixed) {
        struct netsock_addr a = ns_parse_addr("[::1]:0");
        struct netsock_tcp_socket *s;
        struct netsock_tcp_listener *l = NULL;
        bool v = false;

        if (!ns_have_ipv6()) {
                fprintf(stderr, "listener_only_v6_reports_what_bind_fixed: no IPv6: skipped\n");
                return;
        }
        s = new_socket(6);
        ck_assert_int_eq(netsock_tcp_socket_set_only_v6(s, true), 0);
        ck_assert_int_eq(netsock_tcp_socket_bind(s, &a), 0);
        ck_assert_int_eq(netsock_tcp_socket_listen(s, 16, &l), 0);
        ck_assert_int_eq(netsock_tcp_listener_only_v6(l, &v), 0);
        ck_assert(v);
        netsock_tcp_listener_close(l);

        /* Bound to one IPv6 address (not ::, not v4-mapped), the kernel
         * makes a socket v6-only whatever was asked. */
        s = new_socket(6);
        ck_assert_int_eq(netsock_tcp_socket_set_only_v6(s, false), 0);
        ck_assert_int_eq(netsock_tcp_socket_bind(s, &a), 0);
        ck_assert_int_eq(netsock_tcp_socket_listen(s, 16, &l), 0);
        ck_assert_int_eq(netsock_tcp_listener_only_v6(l, &v), 0);
        ck_assert(v);
        netsock_tcp_listener_close(l);

        /* Bound to ::, it stays dual-stack as asked. */
        a = ns_parse_addr("[::]:0");
        s = new_socket(6);
        ck_assert_int_eq(netsock_tcp_socket_set_only_v6(s, false), 0);
        ck_assert_int_eq(netsock_tcp_socket_bind(s, &a), 0);
        ck_assert_int_eq(netsock_tcp_socket_listen(s, 16, &l), 0);
        ck_assert_int_eq(netsock_tcp_listener_only_v6(l, &v), 0);
        ck_assert(!v);
        netsock_tcp_listener_close(l);
}
END_TEST

/* ---- the stream (C) ------------------------------------------------------------ */

START_TEST(stream_tuning_options_read_back_exactly) {
        struct netsock_tcp_stream *c = NULL, *srv = NULL;

        ns_tcp_pair("127.0.0.1:0", &c, &srv);
        ASSERT_TUNING_ROUND_TRIPS(tcp_stream, c);
        if (have_cap(CAP_NET_ADMIN))
                ASSERT_NUM_ROUND_TRIP(tcp_stream, c, mark, uint32_t, 42, 42);
        else
                ck_assert_int_eq(netsock_tcp_stream_set_mark(c, 42), -EPERM);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(srv);
}
END_TEST

START_TEST(cork_holds_a_small_write_back_until_uncorked) {
        struct netsock_tcp_stream *c = NULL, *srv = NULL;
        struct netsock_tcp_info ti;
        char buf[16];

        ns_tcp_pair("127.0.0.1:0", &c, &srv);
        ck_assert_int_eq(netsock_tcp_stream_set_cork(c, true), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "0123456789", 10), 10);
        /* Held back (the kernel holds a corked partial segment up to 200 ms). */
        ck_assert_int_eq(ns_poll_fd(netsock_tcp_stream_fd(srv), POLLIN, 50), 0);
        ck_assert_int_eq(netsock_tcp_stream_info(c, &ti), 0);
        ck_assert_uint_eq(ti.notsent_bytes, 10);
        ck_assert_int_eq(netsock_tcp_stream_set_cork(c, false), 0);
        ns_wait_bytes(netsock_tcp_stream_fd(srv), 10);
        ck_assert_int_eq(netsock_tcp_stream_recv(srv, buf, sizeof(buf)), 10);
        ck_assert_int_eq(memcmp(buf, "0123456789", 10), 0);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(srv);
}
END_TEST

START_TEST(notsent_lowat_decides_writability) {
        struct netsock_tcp_stream *c = NULL, *srv = NULL;
        int fd;

        ns_tcp_pair("127.0.0.1:0", &c, &srv);
        fd = netsock_tcp_stream_fd(c);
        /* Corked, 10 bytes stay unsent: writable only while that is below
         * the low-water mark. */
        ck_assert_int_eq(netsock_tcp_stream_set_cork(c, true), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "0123456789", 10), 10);
        ck_assert_int_eq(netsock_tcp_stream_set_notsent_lowat(c, 5), 0);
        ck_assert_int_eq(ns_poll_fd(fd, POLLOUT, 0) & POLLOUT, 0);
        ck_assert_int_eq(netsock_tcp_stream_set_notsent_lowat(c, 100), 0);
        ck_assert_int_eq(ns_poll_fd(fd, POLLOUT, 0) & POLLOUT, POLLOUT);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(srv);
}
END_TEST

/* ---- netsock_tcp_stream_info ------------------------------------------------------ */

START_TEST(info_of_a_connected_pair_counts_the_bytes_moved) {
        struct netsock_tcp_stream *c = NULL, *srv = NULL;
        struct netsock_tcp_info ti, ts;
        long lo_mtu;
        size_t i;

        ns_tcp_pair("127.0.0.1:0", &c, &srv);
        ns_assert_tcp_transfer(c, srv, "hello");
        ns_assert_tcp_transfer(srv, c, "0123456789");
        memset(&ti, 0xa5, sizeof(ti));
        memset(&ts, 0xa5, sizeof(ts));
        ck_assert_int_eq(netsock_tcp_stream_info(c, &ti), 0);
        ck_assert_int_eq(netsock_tcp_stream_info(srv, &ts), 0);
        ck_assert_uint_eq(ti.state, 1);  /* TCP_ESTABLISHED */
        ck_assert_uint_eq(ts.state, 1);
        ck_assert_uint_eq(ti.bytes_sent, 5);
        ck_assert_uint_eq(ti.bytes_received, 10);
        ck_assert_uint_eq(ts.bytes_sent, 10);
        ck_assert_uint_eq(ts.bytes_received, 5);
        ck_assert_uint_eq(ti.bytes_retrans, 0);
        ck_assert_uint_eq(ti.total_retrans, 0);
        ck_assert_uint_eq(ti.notsent_bytes, 0);
        ck_assert_uint_gt(ti.snd_mss, 0);
        ck_assert_uint_gt(ti.rto_us, 0);
        ck_assert_uint_gt(ti.snd_cwnd, 0);
        /* The loopback MTU, capped at IP_MAX_MTU (65535) for IPv4. */
        lo_mtu = ns_sysctl_long("/sys/class/net/lo/mtu", 0);
        ck_assert_uint_eq(ti.pmtu, lo_mtu < 65535 ? lo_mtu : 65535);
        for (i = 0; i < sizeof(ti.reserved) / sizeof(ti.reserved[0]); i++) {
                ck_assert_uint_eq(ti.reserved[i], 0);
                ck_assert_uint_eq(ts.reserved[i], 0);
        }
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(srv);
}
END_TEST

START_TEST(info_rejects_null_arguments) {
        struct netsock_tcp_stream *c = NULL, *srv = NULL;
        struct netsock_tcp_info ti;

        ns_tcp_pair("127.0.0.1:0", &c, &srv);
        ck_assert_int_eq(netsock_tcp_stream_info(NULL, &ti), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_info(c, NULL), -EINVAL);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(srv);
}
END_TEST

static Suite *make(void) {
        Suite *s = suite_create("tcp_options");
        TCase *tc;

        tc = ns_tcase(s, "socket");
        tcase_add_test(tc, socket_tuning_options_read_back_exactly);
        tcase_add_test(tc, socket_binding_options_read_back_on_both_families);
        tcase_add_test(tc, socket_connection_setup_options_read_back);
        tcase_add_test(tc, mark_reads_back_or_is_eperm_without_cap_net_admin);
        tcase_add_test(tc, incoming_cpu_is_minus_one_until_set);
        tcase_add_test(tc, congestion_errors_and_truncation);
        tcase_add_test(tc, values_the_kernel_or_the_type_rejects_are_einval);
        tcase_add_test(tc, freebind_lets_bind_take_an_address_the_host_lacks);
        tcase_add_test(tc, bind_address_no_port_leaves_the_port_to_connect);
        tcase_add_test(tc, max_segment_set_on_the_builder_shows_in_snd_mss);

        tc = ns_tcase(s, "listener");
        tcase_add_test(tc, listener_options_read_back);
        tcase_add_test(tc, listener_only_v6_reports_what_bind_fixed);

        tc = ns_tcase(s, "stream");
        tcase_add_test(tc, stream_tuning_options_read_back_exactly);
        tcase_add_test(tc, cork_holds_a_small_write_back_until_uncorked);
        tcase_add_test(tc, notsent_lowat_decides_writability);

        tc = ns_tcase(s, "info");
        tcase_add_test(tc, info_of_a_connected_pair_counts_the_bytes_moved);
        tcase_add_test(tc, info_rejects_null_arguments);
        return s;
}

NS_TEST_MAIN(make)
