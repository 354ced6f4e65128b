/* SPDX-License-Identifier: MIT */
/* A program outside the tree, built against an installed libnetsock by
 * CMake (find_package) and by Meson (dependency()): it must compile, link
 * and run, and the headers must be those of the running library. */
#include <netsock.h>

#include <stdio.h>
#include <string.h>

#if !NETSOCK_CHECK_VERSION(0, 2, 0)
#error "libnetsock 0.2.0 or later is needed"
#endif

int main(void) {
        struct netsock_unix_stream *a, *b;
        char buf[8] = "";
        char expect[32];
        int r;

        snprintf(expect, sizeof(expect), "%d.%d.%d", NETSOCK_VERSION_MAJOR, NETSOCK_VERSION_MINOR,
                 NETSOCK_VERSION_PATCH);
        if (strcmp(netsock_version(), expect) != 0) {
                fprintf(stderr, "headers %s, library %s\n", expect, netsock_version());
                return 1;
        }
        if ((r = netsock_unix_stream_pair(0, &a, &b)) < 0 || netsock_unix_stream_send_all(a, "ping", 4) < 0 ||
            netsock_unix_stream_recv_exact(b, buf, 4) != 4 || memcmp(buf, "ping", 4) != 0) {
                fprintf(stderr, "pair: %s\n", netsock_strerror(r));
                return 1;
        }
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
        printf("consumer: libnetsock %s ok\n", netsock_version());
        return 0;
}
