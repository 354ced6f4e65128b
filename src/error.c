/* SPDX-License-Identifier: MIT */
/*
 * Error names and messages, generated from NETSOCK_ERRNO_MAP (errno
 * codes) and NETSOCK_LIBERR_MAP (the library's own, below -4000) in
 * <netsock/error.h> so that the constants, the names and the texts can
 * never disagree.  Our own texts (not strerror(3)) keep the answers
 * thread-safe, locale-independent and never NULL.  Any other errno is
 * named and described by the C library (glibc's strerrorname_np and
 * strerrordesc_np: constant English strings, safe in any thread).
 */
#include "internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* |err| without the overflow of abs(INT_MIN). */
static int code(int err) {
        if (err == INT_MIN)
                return 0;
        return err < 0 ? -err : err;
}

NS_EXPORT const char *netsock_errname(int err) {
        switch (code(err)) {
#define NS_NAME_(name, msg) case name: return #name;
        NETSOCK_ERRNO_MAP(NS_NAME_)
#undef NS_NAME_
#define NS_LIBNAME_(name, num, msg) case num: return #name;
        NETSOCK_LIBERR_MAP(NS_LIBNAME_)
#undef NS_LIBNAME_
        default:
                break;
        }
#ifdef HAVE_STRERRORNAME_NP
        if (code(err) != 0) {
                const char *name = strerrorname_np(code(err));

                if (name)
                        return name;
        }
#endif
        return "UNKNOWN";
}

NS_EXPORT const char *netsock_strerror(int err) {
        if (err == 0)
                return "Success";
        switch (code(err)) {
#define NS_MSG_(name, msg) case name: return msg;
        NETSOCK_ERRNO_MAP(NS_MSG_)
#undef NS_MSG_
#define NS_LIBMSG_(name, num, msg) case num: return msg;
        NETSOCK_LIBERR_MAP(NS_LIBMSG_)
#undef NS_LIBMSG_
        default:
                break;
        }
#ifdef HAVE_STRERRORDESC_NP
        if (code(err) != 0) {
                const char *desc = strerrordesc_np(code(err));

                if (desc)
                        return desc;
        }
#endif
        {
                /* The one text that is not a constant: one buffer per
                 * thread, so the call stays thread-safe. */
                static __thread char unknown[32];

                snprintf(unknown, sizeof(unknown), "Unknown error %d", err);
                return unknown;
        }
}

NS_EXPORT const char *netsock_version(void) {
        return PACKAGE_VERSION;
}
