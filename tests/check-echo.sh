#!/bin/sh
# The echo example of API.md §15 under load: echo-server on 127.0.0.1 port
# 0 (it prints the port it got), echo-load with 200 clients checking every
# byte, then SIGTERM, after which the server must exit 0 within 10 s.
# Every step has a time limit, and nothing is left running or on disk.
set -u
: "${top_builddir:=.}"
server="$top_builddir/examples/echo-server"
load="$top_builddir/examples/echo-load"
[ -x "$server" ] && [ -x "$load" ] || { echo "echo examples not built"; exit 1; }
command -v timeout >/dev/null || { echo "no timeout(1): skipping"; exit 77; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/netsock-echo-XXXXXX") || exit 1
spid=
cleanup() {
        [ -n "$spid" ] && kill -KILL "$spid" 2>/dev/null
        rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# timeout(1) passes the SIGTERM it gets on to the server, and kills it
# itself if the whole run takes longer than 120 s.
timeout -k 5 120 "$server" 127.0.0.1:0 >"$dir/port" 2>"$dir/server.err" &
spid=$!

port=
i=0
while [ $i -lt 100 ]; do
        port=$(head -n 1 "$dir/port" 2>/dev/null)
        [ -n "$port" ] && break
        kill -0 "$spid" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
done
case "$port" in
''|*[!0-9]*) echo "FAIL: the server printed no port"; cat "$dir/server.err"; exit 1 ;;
esac

fail=0
if ! timeout -k 5 90 "$load" "127.0.0.1:$port" 200; then
        echo "FAIL: echo-load with 200 clients"; fail=1
fi

kill -TERM "$spid"
i=0
while kill -0 "$spid" 2>/dev/null && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
done
if kill -0 "$spid" 2>/dev/null; then
        echo "FAIL: the server did not stop within 10 s of SIGTERM"; fail=1
        kill -KILL "$spid" 2>/dev/null
fi
wait "$spid"
rc=$?
spid=
if [ "$rc" != 0 ]; then
        echo "FAIL: the server exited $rc after SIGTERM"; cat "$dir/server.err"; fail=1
fi
[ "$fail" = 0 ] && echo "ok: 200 echo clients, server stopped cleanly: $(cat "$dir/server.err")"
exit $fail
