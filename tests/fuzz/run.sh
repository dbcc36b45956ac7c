#!/bin/sh
# Builds the libFuzzer harnesses (clang, ASan + UBSan) and runs each for
# FUZZ_SECONDS (default 60).  `make fuzz` runs this.
#
#   fuzz_event   event_parse() on any body (tests/fuzz/fuzz_event.c)
#   fuzz_config  config_parse() on any file (tests/fuzz/fuzz_config.c)
#
# Seeds: tests/fuzz/seeds/TARGET, tests/fuzz/regress/TARGET, every file of
# JSONTestSuite's test_parsing/ when it is there, and etc/config.example.json for
# the config.  The corpus grows in $FUZZ_BUILD/corpus-TARGET across runs.
# A finding (crash, leak, timeout, out of memory, failed check) is copied
# to tests/fuzz/regress/TARGET/, which test_fuzz_regress replays in
# `make check`; commit it with the fix.  Exits 1 on any finding.
#
# Needs clang with libFuzzer: Debian 12 packages clang and
# libclang-rt-14-dev.
#
# Environment: FUZZ_SECONDS, FUZZ_CC (clang), FUZZ_BUILD (build and corpus
# directory, build-fuzz), FUZZ_TARGETS ("event config"), JSONTESTSUITE
# (a clone of github.com/nst/JSONTestSuite, default ../shared/JSONTestSuite),
# WERROR=1 (warnings in the harnesses are errors).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_CC=${FUZZ_CC:-clang}
out=${FUZZ_BUILD:-build-fuzz}
targets=${FUZZ_TARGETS:-event config}
suite=${JSONTESTSUITE:-../shared/JSONTestSuite}/test_parsing
werror=
[ "${WERROR:-}" = 1 ] && werror=-Werror
pkgs="yajl libcurl libcrypto"

warn="-std=c11 -Wall -Wextra -Wshadow -Wformat=2
-Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings -Wpointer-arith
-Wundef"
san="-fsanitize=address,undefined -fno-sanitize-recover=all
-fno-omit-frame-pointer"
# shellcheck disable=SC2046
cflags="$warn -g -O1 -D_POSIX_C_SOURCE=200809L
-DDEFAULT_CONFIG=\"/etc/pgyer-relay/config.json\"
$(pkg-config --cflags $pkgs)"
libs=$(pkg-config --libs $pkgs)

mkdir -p "$out/obj" || exit 1

# Is libFuzzer there at all?
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
    >"$out/probe.c"
if ! $FUZZ_CC -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" \
    >"$out/probe.log" 2>&1; then
	cat "$out/probe.log"
	echo "fuzz: $FUZZ_CC cannot build libFuzzer programs: install" \
	    "clang and libclang-rt-14-dev (Debian 12)"
	exit 1
fi

# The library: every source but main.c, with coverage for the fuzzer.
# gcc's build (make WERROR=1 in CI) is the judge of warnings in src/;
# clang's differ, so here they are only logged.
: >"$out/build.log"
for f in src/*.c; do
	[ "$f" = src/main.c ] && continue
	o="$out/obj/$(basename "$f" .c).o"
	# shellcheck disable=SC2086
	if ! $FUZZ_CC $cflags $san -fsanitize=fuzzer-no-link -c -o "$o" \
	    "$f" >>"$out/build.log" 2>&1; then
		cat "$out/build.log"
		exit 1
	fi
done

status=0
for t in $targets; do
	bin="$out/fuzz_$t"
	# shellcheck disable=SC2086
	$FUZZ_CC $cflags $werror $san -fsanitize=fuzzer -Isrc -o "$bin" \
	    "tests/fuzz/fuzz_$t.c" "$out"/obj/*.o $libs || exit 1

	corpus="$out/corpus-$t"
	art="$out/artifacts-$t"
	rm -rf "$art"
	mkdir -p "$corpus" "$art" "tests/fuzz/regress/$t"
	for s in "tests/fuzz/seeds/$t"/* "tests/fuzz/regress/$t"/* \
	    "$suite"/*.json; do
		[ -f "$s" ] && cp "$s" "$corpus/"
	done
	[ "$t" = config ] && [ -f etc/config.example.json ] &&
	    cp etc/config.example.json "$corpus/"

	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
	UBSAN_OPTIONS=print_stacktrace=1 \
	    "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
	    -rss_limit_mb=2048 -max_len=65536 -dict=tests/fuzz/json.dict \
	    -artifact_prefix="$art/" -print_final_stats=1 "$corpus" \
	    >"$out/$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$out/$t.log")
	found=0
	for a in "$art"/*; do
		[ -f "$a" ] || continue
		cp "$a" "tests/fuzz/regress/$t/"
		echo "fuzz_$t: finding tests/fuzz/regress/$t/$(basename "$a")"
		found=$((found + 1))
	done
	if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
		tail -n 60 "$out/$t.log"
		status=1
	fi
	echo "fuzz_$t: $FUZZ_SECONDS s, ${execs:-?} executions," \
	    "$(find "$corpus" -type f | wc -l) corpus files, $found" \
	    "finding(s), exit $rc"
done
exit $status
