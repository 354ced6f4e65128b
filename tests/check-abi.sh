#!/bin/sh
# The ABI of the library that was just built is compatible with the
# recorded baseline of release 0.2.0 (doc/abi/libnetsock.abi, libabigail's
# abidw output): abidiff may report additions (new calls, in a new version
# node) but nothing incompatible -- no removed or changed symbol, no
# changed public struct or enum.  An incompatible change is allowed only
# together with a new soname and a new baseline (`make abi-baseline`), in
# the same commit: a baseline whose soname is not the library's fails too.
# Skips (77) without abigail-tools and in the sanitized build (the
# sanitizer runtime changes what the library imports).
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
lib="$top_builddir/.libs/libnetsock.so"
base="$top_srcdir/doc/abi/libnetsock.abi"
case "${SAN_CFLAGS:-}" in *sanitize*) echo "skipped: sanitized build"; exit 77 ;; esac
command -v abidw >/dev/null && command -v abidiff >/dev/null ||
        { echo "skipped: abigail-tools (abidw, abidiff) not installed"; exit 77; }
[ -f "$lib" ] || { echo "no $lib (built with --disable-shared?)"; exit 77; }
[ -f "$base" ] || { echo "FAIL: no baseline $base (make abi-baseline)"; exit 1; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

abidw --headers-dir "$top_srcdir/include" --no-corpus-path --drop-private-types "$lib" >"$tmp/current.abi" ||
        { echo "FAIL: abidw"; exit 1; }
want=$(sed -n 's/.*soname=.\([^"'"'"']*\).*/\1/p' "$base" | head -n 1)
have=$(sed -n 's/.*soname=.\([^"'"'"']*\).*/\1/p' "$tmp/current.abi" | head -n 1)
if [ "$want" != "$have" ]; then
        echo "FAIL: the library's soname is $have, the baseline's $want:"
        echo "      a new soname needs a new baseline in the same commit (make abi-baseline)"
        exit 1
fi
abidiff --no-added-syms "$base" "$tmp/current.abi" >"$tmp/report" 2>&1
rc=$?
abidiff "$base" "$tmp/current.abi" >"$tmp/full" 2>&1
# abidiff's exit status is a bit mask: 1 error, 2 usage, 4 ABI change,
# 8 incompatible ABI change.
if [ $((rc & 3)) -ne 0 ]; then
        echo "FAIL: abidiff could not compare (status $rc):"; cat "$tmp/report"; exit 1
fi
if [ $((rc & 12)) -ne 0 ]; then
        echo "FAIL: the ABI changed incompatibly against $base (status $rc):"
        cat "$tmp/report"
        echo "If this is on purpose: change the soname (configure.ac) and run make abi-baseline."
        exit 1
fi
added=$(grep -c "^  \[A\]" "$tmp/full" || true)
echo "ok: ABI compatible with the 0.2.0 baseline ($have; $added added symbols)"
exit 0
