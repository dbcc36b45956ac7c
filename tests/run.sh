#!/bin/sh
# Runs the test suites and prints one closing line "N passed, N failed";
# exits non-zero when anything failed.  Each suite is a program whose last
# line is "N passed, N failed"; a suite that crashes or prints no such
# line counts as one failure.  A suite that passes shows its result line
# and any "skip" lines; one that fails shows all it printed.
#
#   unit      tests/unit/test_*.c, built in $BUILD/tests/
#   cgi       tests/cgi/test_*.py against $CGI, and those in FASTCGI_TESTS
#             again through its FastCGI front end (PGYER_RELAY_FRONT)
#   asan      both again against an ASan+UBSan build in build-asan/
#   valgrind  the CGI tests with the CGI under valgrind memcheck
#   e2e       tests/e2e/test_*.py through real Apache and nginx+fcgiwrap
#
# `make check` runs "unit cgi", `make check-all` all five.
# Environment: BUILD, CGI, MAKE (from make); SUITES (default: all five);
# JSONTESTSUITE (a clone of github.com/nst/JSONTestSuite; default
# ../shared/JSONTestSuite: the tests that use it skip when it is absent,
# and fail when JSONTESTSUITE names a directory that is not there).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
CGI=${CGI:-cgi-bin/pgyer-relay.cgi}
MAKE=${MAKE:-make}
SUITES=${SUITES:-unit cgi asan valgrind e2e}
# The CGI tests whose requests are run through the FastCGI front end too
# (tests/lib/fcgirun.py: one long-lived relay, its config replaced).
FASTCGI_TESTS="test_relay.py test_hostile.py test_messages.py test_queue.py
    test_spool.py test_dirs.py"
passed=0
failed=0
log=$(mktemp -d "${TMPDIR:-/tmp}/pgyer-relay-tests.XXXXXX") || exit 1
trap 'rm -rf "$log"' EXIT

# Suites run JOBS at a time (default: the number of cores; each suite
# uses its own free ports and temporary directories), and are reported in
# the order they were started.
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 1)}
queue=""	# "N:PID" of the suites started and not yet reported
started=0
running=0

# report N: adds up the counts of suite N, which has ended.
report() {
	name=$(cat "$log/$1.name")
	rc=$(cat "$log/$1.rc" 2>/dev/null || echo 99)
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log/$1.out" | tail -n 1)
	if [ -z "$last" ]; then
		cat "$log/$1.out"
		printf '%-32s FAILED: %s\n' "$name" "exit $rc without a result line"
		failed=$((failed + 1))
		return
	fi
	p=${last%% passed*}
	f=${last#*passed, }
	f=${f%% failed*}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		last="$last, but exit $rc"
		f=1
	fi
	if [ "$f" -ne 0 ]; then
		printf '== %s\n' "$name"
		cat "$log/$1.out"
	else
		grep '^skip' "$log/$1.out"
	fi
	printf '%-32s %s\n' "$name" "$last"
	passed=$((passed + p))
	failed=$((failed + f))
}

# reap: waits for the oldest suite still running and reports it.
reap() {
	head=${queue%% *}
	queue=${queue#"$head"}
	queue=${queue# }
	wait "${head#*:}" 2>/dev/null
	running=$((running - 1))
	report "${head%%:*}"
}

# flush: reports every suite started.
flush() {
	while [ -n "$queue" ]; do
		reap
	done
}

# fail NAME WHY: one failure that is not a suite's own.
fail() {
	flush
	printf '%-32s FAILED: %s\n' "$1" "$2"
	failed=$((failed + 1))
}

# run NAME CMD...: starts a suite (once fewer than JOBS run).
run() {
	while [ "$running" -ge "$JOBS" ]; do
		reap
	done
	started=$((started + 1))
	printf '%s\n' "$1" >"$log/$started.name"
	shift
	( "$@" >"$log/$started.out" 2>&1; echo $? >"$log/$started.rc" ) &
	queue="${queue:+$queue }$started:$!"
	running=$((running + 1))
}

want() {
	case " $SUITES " in *" $1 "*) return 0 ;; esac
	return 1
}

# unit_and_cgi BUILD CGI LABEL
unit_and_cgi() {
	if want unit; then
		for src in tests/unit/test_*.c; do
			[ -f "$src" ] || continue
			t=$1/tests/$(basename "$src" .c)
			if [ -x "$t" ]; then
				run "$3unit $(basename "$t")" "$t"
			else
				fail "$3unit $(basename "$t")" "$t not built"
			fi
		done
	fi
	if want cgi && ! command -v python3 >/dev/null 2>&1; then
		fail "$3cgi" "python3 not installed: apt-get install python3"
	elif want cgi; then
		for t in tests/cgi/test_*.py; do
			[ -f "$t" ] || continue
			run "$3cgi $(basename "$t")" env PGYER_RELAY_BIN="$2" \
			    python3 "$t"
		done
		for t in $FASTCGI_TESTS; do
			run "$3fastcgi $t" env PGYER_RELAY_BIN="$2" \
			    PGYER_RELAY_FRONT=fastcgi python3 "tests/cgi/$t"
		done
	fi
}

unit_and_cgi "$BUILD" "$CGI" ""
flush

if want asan; then
	abuild=build-asan
	san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	if $MAKE -s BUILD="$abuild" CGI="$abuild/pgyer-relay.cgi" \
	    CFLAGS="-O1 -g" EXTRA_CFLAGS="$san" EXTRA_LDFLAGS="$san" \
	    all unit >"$log/build" 2>&1; then
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1 \
		    unit_and_cgi "$abuild" "$abuild/pgyer-relay.cgi" "asan "
		flush
	else
		cat "$log/build"
		fail asan "the ASan+UBSan build failed"
	fi
fi

# valgrind and the real web servers: one suite at a time (valgrind's
# slowdown and the servers' system-wide files leave no room to share).
JOBS=1

if want valgrind; then
	if command -v valgrind >/dev/null 2>&1; then
		for t in tests/cgi/test_*.py; do
			[ -f "$t" ] || continue
			run "valgrind $(basename "$t")" \
			    env PGYER_RELAY_BIN="$CGI" \
			    PGYER_RELAY_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect" \
			    python3 "$t"
		done
	else
		fail valgrind "not installed: apt-get install valgrind"
	fi
fi

if want e2e; then
	for t in tests/e2e/test_*.py; do
		[ -f "$t" ] || continue
		run "e2e $(basename "$t")" env PGYER_RELAY_BIN="$CGI" \
		    python3 "$t"
	done
fi

flush
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
