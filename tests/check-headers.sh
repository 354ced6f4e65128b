#!/bin/sh
# Every public header compiles on its own, as strict C99 and as C++, with
# no feature macro from the user and no warning.
set -u
: "${top_srcdir:=.}" "${CC:=cc}" "${CXX:=c++}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
for h in netsock.h netsock/common.h netsock/error.h netsock/addr.h netsock/unix_stream.h \
         netsock/seqpacket.h netsock/tcp_socket.h netsock/tcp_stream.h netsock/poll.h netsock/activation.h; do
        printf '#include <%s>\n#include <%s>\nint ns_header_test;\n' "$h" "$h" >"$tmp/t.c"
        if ! $CC -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only -I"$top_srcdir/include" "$tmp/t.c"; then
                echo "FAIL: $h as C99"; fail=1
        fi
        cp "$tmp/t.c" "$tmp/t.cc"
        if ! $CXX -std=c++11 -pedantic -Wall -Wextra -Werror -fsyntax-only -I"$top_srcdir/include" "$tmp/t.cc"; then
                echo "FAIL: $h as C++"; fail=1
        fi
done
# Used from C++, the calls must have C linkage.
cat >"$tmp/link.cc" <<'CC'
#include <netsock.h>
int main() { return netsock_version() ? 0 : 1; }
CC
if ! $CXX -std=c++11 -c -o "$tmp/link.o" -I"$top_srcdir/include" "$tmp/link.cc" ||
   nm "$tmp/link.o" | grep -q '_Z.*netsock_version'; then
        echo "FAIL: netsock_version has C++ linkage"; fail=1
fi
[ "$fail" = 0 ] && echo "ok: public headers compile as C99 and C++"
exit $fail
