#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on 127.0.0.1, for tests and load runs.
#
#   eval "$(scripts/pg-cluster.sh start DIR [PORT])"   # prints export lines
#   scripts/pg-cluster.sh stop DIR                      # stops it, removes DIR
#
# start installs PostgreSQL from Debian's packages if initdb is nowhere to
# be found, creates the cluster in DIR (initdb; trust authentication for
# local connections only, listening on 127.0.0.1:PORT and a socket in DIR)
# and starts it (pg_ctl). PostgreSQL refuses to run as root: as root, DIR
# belongs to, and the server runs as, the unprivileged user PG_USER
# (default postgres, created if missing). It prints
#
#   export UNIFIED_TEST_POSTGRES=postgres://unified@127.0.0.1:PORT/postgres?sslmode=disable
#   export UNIFIED_TEST_PG_BIN=/usr/lib/postgresql/NN/bin
#
# (the second lets tests start clusters of their own, e.g. to kill one).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[[ -n $cmd && -n $dir ]] || { echo "usage: $0 start DIR [PORT] | stop DIR" >&2; exit 2; }

pg_bin() {
	local d
	if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
		dirname "$(readlink -f "$(command -v pg_ctl)")"
		return
	fi
	for d in /usr/lib/postgresql/*/bin; do
		[[ -x $d/initdb ]] && { echo "$d"; return; }
	done
	return 1
}

as_owner() { # runs a command as the cluster's owner
	if [[ $(id -u) == 0 ]]; then
		runuser -u "${PG_USER:-postgres}" -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	port=${3:-55439}
	if ! bin=$(pg_bin); then
		echo "pg-cluster: installing PostgreSQL from Debian's packages" >&2
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
		bin=$(pg_bin) || { echo "pg-cluster: no initdb after installing postgresql" >&2; exit 1; }
	fi
	mkdir -p "$dir"
	if [[ $(id -u) == 0 ]]; then
		id "${PG_USER:-postgres}" >/dev/null 2>&1 || useradd --system --no-create-home "${PG_USER:-postgres}"
		chown "${PG_USER:-postgres}" "$dir"
		chmod 700 "$dir"
	fi
	as_owner "$bin/initdb" -D "$dir/data" -U unified --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >&2 ||
		{ cat "$dir/server.log" >&2; exit 1; }
	echo "export UNIFIED_TEST_POSTGRES='postgres://unified@127.0.0.1:$port/postgres?sslmode=disable'"
	echo "export UNIFIED_TEST_PG_BIN='$bin'"
	;;
stop)
	if [[ -d $dir/data ]]; then
		bin=$(pg_bin) || true
		as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start DIR [PORT] | stop DIR" >&2
	exit 2
	;;
esac
