#!/bin/sh
# make bench: pgyer-relay's speed and memory against references measured
# in the same run.  Prints one table with ratios and PASS/FAIL
# for each target.  See tests/bench/bench.py for what each row measures
# and the BENCH_* variables (BENCH_N, BENCH_ONLY, BENCH_WRK_SECONDS, ...).
#
# On Debian 12 as root it first installs the tools it needs when missing;
# elsewhere a row whose tool is missing is skipped, saying so.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

# The tools of each row: valgrind (Ir), wrk + nginx + fcgiwrap
# (throughput), php-cgi + php-curl (the PHP relay), webhook + curl (the
# webhook row), openssl (the HTTPS robot), libcurl/yajl/libcrypto headers
# (the references).
pkgs="build-essential pkg-config libcurl4-openssl-dev libyajl-dev libssl-dev
openssl ca-certificates curl python3 valgrind nginx-light fcgiwrap wrk
php-cgi php-curl webhook libhiredis-dev redis-server"
missing=
if command -v dpkg-query >/dev/null 2>&1; then
	for p in $pkgs; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q '^install ok installed$' || missing="$missing $p"
	done
fi
if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "bench: installing:$missing"
		export DEBIAN_FRONTEND=noninteractive
		# Keep postinst scripts from starting nginx/php on port 80.
		rmpolicy=
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
			chmod 755 /usr/sbin/policy-rc.d
			rmpolicy=1
		fi
		# shellcheck disable=SC2086
		{ apt-get update -qq &&
		    apt-get install -y -qq --no-install-recommends $missing; } ||
		    echo "bench: could not install some of:$missing;" \
		        "their rows are skipped"
		[ -n "$rmpolicy" ] && rm -f /usr/sbin/policy-rc.d
	else
		echo "bench: missing:$missing (not root on Debian: not" \
		    "installing); their rows are skipped"
	fi
fi
exec python3 tests/bench/bench.py "$@"
