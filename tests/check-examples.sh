#!/bin/sh
# The example programs are real programs: run them the way a user would.
#  - broker: serves files of a directory over a 0600 socket; a client gets
#    an opened fd and prints the file; a name outside the directory is
#    refused; SIGTERM stops the broker, which removes its socket file.
#  - seqpacket-service: a poller-driven server and a pipelining client
#    (20,000 requests, 64 in flight, every answer checked in order), by
#    path and by abstract name; SIGTERM stops the server.
set -u
: "${top_builddir:=.}"
ex="$top_builddir/examples"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/netsock-examples.XXXXXX") || exit 99
pids=
cleanup() {
        for p in $pids; do kill -9 "$p" 2>/dev/null; done
        rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# wait_for FILE: until it exists (at most 5 s).
wait_for() {
        i=0
        while [ ! -e "$1" ]; do
                i=$((i + 1)); [ $i -le 100 ] || return 1; sleep 0.05
        done
}
# stop PID NAME: SIGTERM, then it must exit 0 within 5 s.
stop() {
        kill -TERM "$1" || fail "$2 is not running"
        i=0
        while kill -0 "$1" 2>/dev/null; do
                i=$((i + 1)); [ $i -le 100 ] || fail "$2 did not stop on SIGTERM"; sleep 0.05
        done
        wait "$1"; rc=$?
        [ "$rc" = 0 ] || fail "$2 exited $rc after SIGTERM"
}

# ---- broker ---------------------------------------------------------------
mkdir "$tmp/root"
printf 'secret %s\n' "$$" >"$tmp/root/data.txt"
echo outside >"$tmp/outside.txt"
"$ex/broker" serve "$tmp/broker.sock" "$tmp/root" >"$tmp/broker.log" 2>&1 &
bpid=$!; pids="$pids $bpid"
wait_for "$tmp/broker.sock" || fail "the broker did not create its socket"
mode=$(stat -c %a "$tmp/broker.sock")
[ "$mode" = 600 ] || fail "broker socket mode is $mode, not 600"
out=$(timeout 10 "$ex/broker" request "$tmp/broker.sock" data.txt) || fail "broker request failed"
[ "$out" = "secret $$" ] || fail "broker request printed '$out'"
if timeout 10 "$ex/broker" request "$tmp/broker.sock" ../outside.txt >"$tmp/out2" 2>"$tmp/err2"; then
        fail "the broker opened a file outside its directory"
fi
grep -q "error EPERM" "$tmp/err2" || fail "refusal was not 'error EPERM': $(cat "$tmp/err2")"
if timeout 10 "$ex/broker" request "$tmp/broker.sock" missing.txt 2>"$tmp/err3"; then
        fail "the broker served a missing file"
fi
grep -q "error ENOENT" "$tmp/err3" || fail "missing file was not 'error ENOENT': $(cat "$tmp/err3")"
stop "$bpid" broker
[ ! -e "$tmp/broker.sock" ] || fail "the broker left its socket file behind"
[ ! -e "$tmp/broker.sock.lock" ] || fail "the broker left its lock file behind"
echo "ok: broker"

# ---- seqpacket-service ------------------------------------------------------
for name in "$tmp/svc.sock" "@netsock-example-$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"; do
        "$ex/seqpacket-service" serve "$name" >"$tmp/svc.log" 2>&1 &
        spid=$!; pids="$pids $spid"
        i=0
        until grep -q serving "$tmp/svc.log"; do
                i=$((i + 1)); [ $i -le 100 ] || fail "seqpacket-service did not start: $(cat "$tmp/svc.log")"; sleep 0.05
        done
        timeout 30 "$ex/seqpacket-service" client "$name" 20000 64 || fail "pipelining client on $name"
        timeout 30 "$ex/seqpacket-service" client "$name" 100 1 || fail "one-at-a-time client on $name"
        stop "$spid" seqpacket-service
        case "$name" in @*) ;; *) [ ! -e "$name" ] || fail "seqpacket-service left $name behind" ;; esac
done
echo "ok: seqpacket-service"
