/* SPDX-License-Identifier: MIT */
/*
 * broker: a privilege-separation broker.  A small privileged process holds
 * the right to open files under one directory; unprivileged clients ask it
 * over a Unix socket and get an opened, read-only fd back, never a path.
 *
 *   broker serve SOCKET ROOT     serve until SIGTERM (or SIGINT)
 *   broker request SOCKET NAME   print the file ROOT/NAME that the broker opens
 *
 * Before it serves a request the broker checks who is asking, in a way a
 * recycled process ID cannot fool: the peer's credentials (same user as the
 * broker, or root) and a pidfd of the peer (netsock_unix_stream_peer_pidfd)
 * that must still name the process the credentials were taken from.  The
 * socket file is created 0600 from the start (bind_mode), replaced if a
 * crashed broker left it (REPLACE_STALE) and removed on exit
 * (REMOVE_ON_CLOSE).  SIGTERM ends the blocking accept with -EINTR.
 *
 * Protocol: the client sends the file name (one message, no NUL); the broker
 * answers "ok" with the fd attached, or "error <errno name>".
 */
#include <netsock.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
        (void) sig;
        stop = 1;
}

static int fail(const char *what, int r) {
        fprintf(stderr, "broker: %s: %s\n", what, netsock_strerror(r));
        return 1;
}

/* The "Pid:" line of /proc/self/fdinfo/<pidfd>: the pid the pidfd names
 * now, 0 when it lives in another pid namespace, -1 once it has exited. */
static long pidfd_pid(int pidfd) {
        char path[64], line[128];
        long pid = -2;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
        f = fopen(path, "re");
        if (!f)
                return -2;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "Pid: %ld", &pid) == 1)
                        break;
        fclose(f);
        return pid;
}

/* 0 when the peer may be served, or a negative errno saying why not. */
static int check_peer(struct netsock_unix_stream *s) {
        struct netsock_creds c;
        int pidfd, r;

        r = netsock_unix_stream_peer_credentials(s, &c);
        if (r < 0)
                return r;
        if (c.uid != getuid() && c.uid != 0)
                return -EACCES;
        r = netsock_unix_stream_peer_pidfd(s, &pidfd);
        if (r == -ENOPROTOOPT)
                return 0;  /* Linux < 6.5: credentials are all there is */
        if (r < 0)
                return r;
        /* The process that connected is still the one the credentials
         * name: its pid was not recycled by another process since. */
        r = pidfd_pid(pidfd) == (long) c.pid ? 0 : -ESRCH;
        close(pidfd);
        return r;
}

static void serve_one(struct netsock_unix_stream *s, int rootfd) {
        char name[256], reply[64];
        ssize_t n;
        int fd, r;

        if (netsock_unix_stream_set_read_timeout(s, 2000) < 0)
                return;
        n = netsock_unix_stream_recv(s, name, sizeof(name) - 1);
        if (n <= 0)
                return;
        name[n] = '\0';
        r = check_peer(s);
        if (r == 0 && (strchr(name, '/') || strcmp(name, "..") == 0 || strcmp(name, ".") == 0))
                r = -EPERM;  /* only names directly under ROOT */
        fd = r == 0 ? openat(rootfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
        if (r == 0 && fd < 0)
                r = -errno;
        if (r < 0) {
                n = snprintf(reply, sizeof(reply), "error %s", netsock_errname(r));
                (void) netsock_unix_stream_send_all(s, reply, (size_t) n);
                return;
        }
        (void) netsock_unix_stream_send_fds(s, "ok", 2, &fd, 1);
        close(fd);  /* the client has its own copy now */
}

static int serve(const char *path, const char *root) {
        struct netsock_unix_listener *l;
        struct sigaction sa;
        int rootfd, r;

        rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return fail(root, -errno);
        /* No SA_RESTART: the signal must end the blocking accept. */
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        r = netsock_unix_listener_bind_mode(path, 0600, NETSOCK_REMOVE_ON_CLOSE | NETSOCK_REPLACE_STALE, &l);
        if (r < 0)
                return fail(path, r);
        printf("broker: serving %s on %s\n", root, path);
        fflush(stdout);
        while (!stop) {
                struct netsock_unix_stream *s;

                r = netsock_unix_listener_accept(l, 0, &s, NULL);
                if (r == -EINTR)
                        continue;  /* stop is set, or another signal */
                if (r < 0) {
                        fprintf(stderr, "broker: accept: %s\n", netsock_strerror(r));
                        continue;
                }
                serve_one(s, rootfd);
                netsock_unix_stream_close(s);
        }
        netsock_unix_listener_close(l);  /* removes the socket file and its lock */
        close(rootfd);
        return 0;
}

static int request(const char *path, const char *name) {
        struct netsock_unix_stream *s;
        char reply[64], buf[4096];
        int fd = -1, r;
        size_t nfds = 1;
        ssize_t n;

        r = netsock_unix_stream_connect(path, 0, &s);
        if (r < 0)
                return fail(path, r);
        r = netsock_unix_stream_send_all(s, name, strlen(name));
        if (r < 0)
                return fail("send", r);
        n = netsock_unix_stream_recv_fds(s, reply, sizeof(reply) - 1, &fd, &nfds, NULL);
        netsock_unix_stream_close(s);
        if (n < 0)
                return fail("recv", (int) n);
        reply[n] = '\0';
        if (strcmp(reply, "ok") != 0 || nfds != 1) {
                fprintf(stderr, "broker: %s: %s\n", name, reply);
                if (nfds == 1)
                        close(fd);
                return 1;
        }
        while ((n = read(fd, buf, sizeof(buf))) > 0)
                fwrite(buf, 1, (size_t) n, stdout);
        close(fd);
        return n < 0 ? 1 : 0;
}

int main(int argc, char **argv) {
        if (argc == 4 && strcmp(argv[1], "serve") == 0)
                return serve(argv[2], argv[3]);
        if (argc == 4 && strcmp(argv[1], "request") == 0)
                return request(argv[2], argv[3]);
        fprintf(stderr, "usage: broker serve SOCKET ROOT | broker request SOCKET NAME\n");
        return 2;
}
