/* SPDX-License-Identifier: MIT */
/*
 * Errors and version.  Every call returns a negative errno on failure; this
 * header names them (NETSOCK_EAGAIN == -EAGAIN, ...) and turns them into
 * text.  The constants, netsock_errname() and netsock_strerror() are all
 * generated from the one table below.  See netsock_strerror(3).
 */
#ifndef NETSOCK_ERROR_H
#define NETSOCK_ERROR_H

#include <errno.h>
#include <netsock/common.h>

#define NETSOCK_VERSION_MAJOR 0
#define NETSOCK_VERSION_MINOR 2
#define NETSOCK_VERSION_PATCH 0
/* (MAJOR << 16) | (MINOR << 8) | PATCH: 0x000200 for 0.2.0. */
#define NETSOCK_VERSION_NUMBER \
        ((NETSOCK_VERSION_MAJOR << 16) | (NETSOCK_VERSION_MINOR << 8) | NETSOCK_VERSION_PATCH)
/* True when these headers are at least version major.minor.patch:
 * #if NETSOCK_CHECK_VERSION(0, 2, 0) ... #endif */
#define NETSOCK_CHECK_VERSION(major, minor, patch) \
        (NETSOCK_VERSION_NUMBER >= (((major) << 16) | ((minor) << 8) | (patch)))

/*
 * X(NAME, "message") for every errno the library documents: each has its
 * NETSOCK_E<NAME> constant.  netsock_errname() and netsock_strerror() know
 * every other errno of the C library too (they ask it).  Aliases that
 * share a value on Linux (EWOULDBLOCK, EDEADLOCK, ENOTSUP) are left out:
 * the canonical name stands for both.
 */
#define NETSOCK_ERRNO_MAP(X) \
        X(EPERM,           "Operation not permitted") \
        X(ENOENT,          "No such file or directory") \
        X(ESRCH,           "No such process") \
        X(EINTR,           "Interrupted system call") \
        X(EIO,             "Input/output error") \
        X(ENXIO,           "No such device or address") \
        X(E2BIG,           "Argument list too long") \
        X(EBADF,           "Bad file descriptor") \
        X(EAGAIN,          "Resource temporarily unavailable") \
        X(ENOMEM,          "Cannot allocate memory") \
        X(EACCES,          "Permission denied") \
        X(EFAULT,          "Bad address") \
        X(EBUSY,           "Device or resource busy") \
        X(EEXIST,          "File exists") \
        X(EXDEV,           "Invalid cross-device link") \
        X(ENODEV,          "No such device") \
        X(ENOTDIR,         "Not a directory") \
        X(EISDIR,          "Is a directory") \
        X(EINVAL,          "Invalid argument") \
        X(ENFILE,          "Too many open files in system") \
        X(EMFILE,          "Too many open files") \
        X(ENOSPC,          "No space left on device") \
        X(EROFS,           "Read-only file system") \
        X(EDQUOT,          "Disk quota exceeded") \
        X(EPIPE,           "Broken pipe") \
        X(ERANGE,          "Numerical result out of range") \
        X(ENAMETOOLONG,    "File name too long") \
        X(ENOSYS,          "Function not implemented") \
        X(ELOOP,           "Too many levels of symbolic links") \
        X(ENODATA,         "No data available") \
        X(ENOBUFS,         "No buffer space available") \
        X(EOVERFLOW,       "Value too large for defined data type") \
        X(EBADMSG,         "Bad message") \
        X(ENOTSOCK,        "Socket operation on non-socket") \
        X(EDESTADDRREQ,    "Destination address required") \
        X(EMSGSIZE,        "Message too long") \
        X(EPROTOTYPE,      "Protocol wrong type for socket") \
        X(ENOPROTOOPT,     "Protocol not available") \
        X(EPROTONOSUPPORT, "Protocol not supported") \
        X(ESOCKTNOSUPPORT, "Socket type not supported") \
        X(EOPNOTSUPP,      "Operation not supported") \
        X(EAFNOSUPPORT,    "Address family not supported by protocol") \
        X(EADDRINUSE,      "Address already in use") \
        X(EADDRNOTAVAIL,   "Cannot assign requested address") \
        X(ENETDOWN,        "Network is down") \
        X(ENETUNREACH,     "Network is unreachable") \
        X(ENETRESET,       "Network dropped connection on reset") \
        X(ECONNABORTED,    "Software caused connection abort") \
        X(ECONNRESET,      "Connection reset by peer") \
        X(EISCONN,         "Transport endpoint is already connected") \
        X(ENOTCONN,        "Transport endpoint is not connected") \
        X(ESHUTDOWN,       "Cannot send after transport endpoint shutdown") \
        X(ETOOMANYREFS,    "Too many references: cannot splice") \
        X(ETIMEDOUT,       "Connection timed out") \
        X(ECONNREFUSED,    "Connection refused") \
        X(EHOSTDOWN,       "Host is down") \
        X(EHOSTUNREACH,    "No route to host") \
        X(EALREADY,        "Operation already in progress") \
        X(EINPROGRESS,     "Operation now in progress")

/*
 * X(NAME, number, "message") for the library's own codes, below -4000 so
 * that they never collide with an errno: what getaddrinfo(3) can answer
 * (EAI_SYSTEM is given as its errno instead).  NETSOCK_EAI_NONAME == -4001.
 */
#define NETSOCK_LIBERR_MAP(X) \
        X(EAI_NONAME,  4001, "Name or service not known") \
        X(EAI_AGAIN,   4002, "Temporary failure in name resolution") \
        X(EAI_FAIL,    4003, "Non-recoverable failure in name resolution") \
        X(EAI_SERVICE, 4004, "Servname not supported for ai_socktype") \
        X(EAI_FAMILY,  4005, "ai_family not supported") \
        X(EAI_MEMORY,  4006, "Memory allocation failure")

NETSOCK_BEGIN_DECLS

/* NETSOCK_EPERM = -EPERM, NETSOCK_EAGAIN = -EAGAIN, ... */
#define NETSOCK_ERRNO_ENUM_(name, msg) NETSOCK_##name = -name,
enum netsock_errno {
        NETSOCK_ERRNO_MAP(NETSOCK_ERRNO_ENUM_)
        NETSOCK_ERRNO_END_ = 0
};
#undef NETSOCK_ERRNO_ENUM_

/* NETSOCK_EAI_NONAME = -4001, ... */
#define NETSOCK_LIBERR_ENUM_(name, num, msg) NETSOCK_##name = -(num),
enum netsock_liberr {
        NETSOCK_LIBERR_MAP(NETSOCK_LIBERR_ENUM_)
        NETSOCK_LIBERR_END_ = 0
};
#undef NETSOCK_LIBERR_ENUM_

const char *netsock_strerror(int err);
const char *netsock_errname(int err);
const char *netsock_version(void);

NETSOCK_END_DECLS

#endif
