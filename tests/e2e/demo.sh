#!/bin/sh
# `make demo`: the relay behind real nginx + fcgiwrap, a mock robot of each
# kind on loopback, PGYER's example events posted with curl; prints what
# each robot received.  Everything it starts, it stops (demo.py).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: run as root: nginx starts as root and serves as www-data" >&2
	exit 1
fi
if [ ! -x "${PGYER_RELAY_BIN:-cgi-bin/pgyer-relay.cgi}" ]; then
	echo "demo: no cgi-bin/pgyer-relay.cgi: run make first" >&2
	exit 1
fi
exec python3 tests/e2e/demo.py demo
