#!/bin/sh
# Socket activation for real: tests/activation-helper runs under
# systemd-socket-activate, takes its sockets with netsock_listen_fds, wraps
# them with the typed from_fd calls and answers one client on each with
# "NAME KIND".  Cases: a Unix listener named with --fdname, one without a
# name ("unknown"), a TCP listener on 127.0.0.1, both at once (two fds,
# two names), one --fdname for two fds (systemd-socket-activate repeats
# it), and --accept (a connected socket) for Unix and TCP.
# systemd-socket-activate 252 sets LISTEN_PID, LISTEN_FDS and, with
# --fdname, LISTEN_FDNAMES; LISTEN_PIDFDID only comes with systemd >= 256
# (test-activation checks it by hand).  Every wait has a time limit, and
# the processes and the temporary directory go on every path.
# Skips (77) only when systemd-socket-activate is not installed.
set -u
: "${top_builddir:=.}"
activate=$(command -v systemd-socket-activate) ||
        { echo "no systemd-socket-activate: skipping"; exit 77; }
helper="$top_builddir/tests/activation-helper"
[ -x "$helper" ] || { echo "no $helper"; exit 99; }
helper=$(cd "$(dirname "$helper")" && pwd)/$(basename "$helper")
tmp=$(mktemp -d) || exit 99
pids=""
cleanup() {
        for p in $pids; do kill "$p" 2>/dev/null; done
        for p in $pids; do wait "$p" 2>/dev/null; done
        rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' INT TERM HUP
fail=0
n=0

# start LOG NLISTEN ARGS...: systemd-socket-activate ARGS in the
# background (at most 30 s); succeeds once it listens on NLISTEN sockets,
# fails if it exits before. $sa is its pid.
start() {
        log=$1 want=$2; shift 2
        timeout 30 "$activate" "$@" >"$log" 2>&1 &
        sa=$!
        pids="$pids $sa"
        i=0
        while [ "$i" -lt 100 ]; do
                [ "$(grep -c '^Listening on ' "$log")" -ge "$want" ] && return 0
                kill -0 "$sa" 2>/dev/null || { wait "$sa" 2>/dev/null; return 1; }
                sleep 0.1
                i=$((i + 1))
        done
        echo "systemd-socket-activate did not listen within 10 s:"; cat "$log"
        return 1
}

# expect NAME ADDRESS REPLY: a client on ADDRESS gets exactly REPLY and a newline.
expect() {
        printf '%s\n' "$3" >"$tmp/want"
        timeout 15 "$helper" --connect "$2" >"$tmp/got" 2>"$tmp/client.err"
        if ! cmp -s "$tmp/want" "$tmp/got"; then
                echo "FAIL: $1: $2 replied '$(cat "$tmp/got")', expected '$3'"
                cat "$tmp/client.err"
                return 1
        fi
}

# finish NAME: the exec'd helper (Accept=no) exits 0 by itself.
finish() {
        wait "$sa"; rc=$?
        [ "$rc" = 0 ] || { echo "FAIL: $1: helper exited with $rc:"; cat "$log"; return 1; }
}

# finish_accept NAME: the helper spawned for the connection exited 0;
# then the listening systemd-socket-activate is stopped.
finish_accept() {
        i=0
        while ! grep -q '^Child [0-9]* died with code ' "$log" && [ "$i" -lt 100 ]; do
                sleep 0.1; i=$((i + 1))
        done
        kill "$sa" 2>/dev/null; wait "$sa" 2>/dev/null
        grep -q '^Child [0-9]* died with code 0$' "$log" ||
                { echo "FAIL: $1: the spawned helper did not exit 0:"; cat "$log"; return 1; }
}

# result NAME STATUS: one case's result.
result() {
        n=$((n + 1))
        if [ "$2" = 0 ]; then echo "ok: $1"; else fail=1; fi
}

# start_tcp LOG NLISTEN ARGS-BEFORE -- ARGS-AFTER: start with
# "-l 127.0.0.1:PORT" between them, PORT one that was free, trying up to 5
# ports in case another process takes one in between. $port is the one.
start_tcp() {
        log=$1 want=$2; shift 2
        before=""
        while [ "$1" != -- ]; do before="$before $1"; shift; done
        shift
        for attempt in 1 2 3 4 5; do
                port=$("$helper" --free-port) || return 1
                # shellcheck disable=SC2086
                start "$log" "$want" $before -l "127.0.0.1:$port" "$@" && return 0
                grep -q 'Address already in use' "$log" || { cat "$log"; return 1; }
        done
        echo "no free port after 5 attempts"; return 1
}

# 1. A Unix listener with a name.
sock="$tmp/app.sock"
r=1
start "$tmp/unix.log" 1 -l "$sock" --fdname=app "$helper" unix-listener:app &&
        expect unix "$sock" "app unix-listener" && finish unix && r=0
result "Unix listener named with --fdname" $r

# 2. Without --fdname: LISTEN_FDNAMES unset, the name is "unknown".
sock="$tmp/anon.sock"
r=1
start "$tmp/anon.log" 1 -l "$sock" "$helper" unix-listener:unknown &&
        expect anon "$sock" "unknown unix-listener" && finish anon && r=0
result "Unix listener without a name is 'unknown'" $r

# 3. A TCP listener on 127.0.0.1.
r=1
start_tcp "$tmp/tcp.log" 1 -- --fdname=web "$helper" tcp-listener:web &&
        expect tcp "127.0.0.1:$port" "web tcp-listener" && finish tcp && r=0
result "TCP listener on 127.0.0.1" $r

# 4. Two sockets, two names, in the order given.
sock="$tmp/ctl.sock"
r=1
start_tcp "$tmp/two.log" 2 -l "$sock" --fdname=ctl -- --fdname=web \
                "$helper" unix-listener:ctl tcp-listener:web &&
        expect two "$sock" "ctl unix-listener" &&
        expect two "127.0.0.1:$port" "web tcp-listener" && finish two && r=0
result "Unix and TCP listeners named ctl:web" $r

# 5. One --fdname for two sockets: systemd-socket-activate repeats it.
sock="$tmp/one.sock"; sock2="$tmp/two.sock"
r=1
start "$tmp/same.log" 2 -l "$sock" -l "$sock2" --fdname=same \
                "$helper" unix-listener:same unix-listener:same &&
        expect same "$sock" "same unix-listener" &&
        expect same "$sock2" "same unix-listener" && finish same && r=0
result "one --fdname names both sockets" $r

# 6. --accept on a Unix socket: the helper gets the connection.
sock="$tmp/acc.sock"
r=1
start "$tmp/acc.log" 1 -l "$sock" --accept --fdname=conn "$helper" unix-stream:conn &&
        expect accept "$sock" "conn unix-stream" && finish_accept accept && r=0
result "--accept passes a connected Unix socket" $r

# 7. --accept on TCP.
r=1
start_tcp "$tmp/tacc.log" 1 --accept -- --fdname=tconn "$helper" tcp-stream:tconn &&
        expect tcp-accept "127.0.0.1:$port" "tconn tcp-stream" && finish_accept tcp-accept && r=0
result "--accept passes a connected TCP socket" $r

[ "$fail" = 0 ] && echo "ok: $n socket-activation runs under $("$activate" --version | head -n 1)"
exit $fail
