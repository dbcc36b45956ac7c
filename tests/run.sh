#!/bin/sh
# Runs every test suite and prints one closing line "N passed, N failed".
# Each suite is a program whose last line is "N passed, N failed"; a suite
# that crashes or prints no such line counts as one failure.
#
#   1. unit tests and CGI tests against the normal build
#   2. the same against an ASan+UBSan build
#   3. the CGI tests with the CGI under valgrind memcheck
#   4. end-to-end tests through real Apache and nginx+fcgiwrap
#
# Environment: BUILD, CGI (from make), SUITES (a subset: "unit cgi").
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-cgi-bin/.obj}
CGI=${CGI:-cgi-bin/pgyer-relay.cgi}
MAKE=${MAKE:-make}
SUITES=${SUITES:-unit cgi asan valgrind e2e}
passed=0
failed=0
log=$(mktemp -d "${TMPDIR:-/tmp}/pgyer-relay-tests.XXXXXX")
trap 'rm -rf "$log"' EXIT

# run NAME CMD...: runs a suite, shows its output, adds up its counts.
run() {
	name=$1
	shift
	printf '== %s\n' "$name"
	"$@" >"$log/out" 2>&1
	rc=$?
	cat "$log/out"
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log/out" | tail -n 1)
	if [ -z "$last" ]; then
		printf '%s: exit %d without a result line\n' "$name" "$rc"
		failed=$((failed + 1))
		return
	fi
	p=${last%% passed*}
	f=${last#*passed, }
	f=${f%% failed*}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		printf '%s: exit %d\n' "$name" "$rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

want() {
	case " $SUITES " in *" $1 "*) return 0 ;; esac
	return 1
}

# unit_and_cgi BUILD CGI LABEL
unit_and_cgi() {
	if want unit; then
		for t in "$1"/tests/test_*; do
			[ -x "$t" ] || continue
			run "$3unit $(basename "$t")" "$t"
		done
	fi
	if want cgi; then
		for t in tests/cgi/test_*.py; do
			[ -f "$t" ] || continue
			run "$3cgi $(basename "$t")" env PGYER_RELAY_BIN="$2" \
			    python3 "$t"
		done
	fi
}

unit_and_cgi "$BUILD" "$CGI" ""

if want asan; then
	abuild=$BUILD-asan
	san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	if $MAKE -s BUILD="$abuild" CGI="$abuild/pgyer-relay.cgi" \
	    CFLAGS="-O1 -g" EXTRA_CFLAGS="$san" EXTRA_LDFLAGS="$san" \
	    all unit >"$log/build" 2>&1; then
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1 \
		    unit_and_cgi "$abuild" "$abuild/pgyer-relay.cgi" "asan "
	else
		cat "$log/build"
		echo "asan build failed"
		failed=$((failed + 1))
	fi
fi

if want valgrind && want cgi; then
	for t in tests/cgi/test_*.py; do
		[ -f "$t" ] || continue
		run "valgrind $(basename "$t")" env PGYER_RELAY_BIN="$CGI" \
		    PGYER_RELAY_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect" \
		    python3 "$t"
	done
fi

if want e2e; then
	for t in tests/e2e/test_*.py; do
		[ -f "$t" ] || continue
		run "e2e $(basename "$t")" env PGYER_RELAY_BIN="$CGI" \
		    python3 "$t"
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
