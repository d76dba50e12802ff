#!/usr/bin/env bash
# Load test of the unified API on 127.0.0.1 (see bench/README.md).
#
#   bench/load.sh                    # every scenario, 10s each
#   DURATION=30s bench/load.sh       # longer runs
#   SCENARIOS="bare rejected" bench/load.sh
#
# For each scenario it starts a fresh server (bin/unifiedapi, built as
# make build builds it, with a new SQLite file in a temporary directory and
# -rate 0, or one of the baselines), waits for /readyz (the baselines, and
# a BEFORE revision that may predate it: /healthz), runs wrk for DURATION,
# stops the server, and finally prints one table and writes it to
# bench/results/load-<date>.md.
#
# The scenarios ogen-rejected and ogen-created run ogen's generated server
# for the same operation instead (bench/ogen: it checks the schema and
# stores nothing), on the same requests as rejected and created.
#
# The scenarios created-pg and created-pg2 run the service on PostgreSQL: a
# throw-away cluster (scripts/pg-cluster.sh, on PG_PORT) with a new database
# per scenario; created-pg2 runs two replicas on PORT and PORT+1 and wrk
# twice at once, half of the connections on each (the load generator
# spreading the connections round-robin); its requests/s is the sum and its
# latencies the worse of the two runs.
#
# Environment: DURATION (10s), THREADS (2), CONNECTIONS (32), PORT (18480),
# PG_PORT (55441), SCENARIOS (bare rejected created created-normal updated
# created-pg created-pg2 ogen-rejected ogen-created), GO (go),
# QUIET_WAIT (30): before each scenario, wait up to this many seconds for
# the machine to be idle (other processes using under 0.25 CPU cores), since
# wrk and the server share it; a scenario run on a busy machine is marked
# NOISY in the table. ROUNDS (1): run the whole list of scenarios this many
# times, one round after the other; the table then has a row per scenario
# and round, and with bare and rejected in the list, the ratio of each
# round and their median (a single run's ratio moves by about 10 points
# with what else the host runs). KEEP=1 keeps the temporary directory
# (databases, logs, wrk output). BEFORE (a git revision) builds that
# revision's service in a temporary worktree for the scenarios
# rejected-before, created-before, updated-before and created-pg-before,
# which run it as those without -before run this tree's: before and after in one
# run, e.g. ROUNDS=5 BEFORE=HEAD~3 SCENARIOS="bare rejected
# rejected-before".
set -euo pipefail

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18480}
SCENARIOS=${SCENARIOS:-bare rejected created created-normal updated created-pg created-pg2 ogen-rejected ogen-created}
PG_PORT=${PG_PORT:-55441}
GO=${GO:-go}
KEEP=${KEEP:-}
QUIET_WAIT=${QUIET_WAIT:-30}
BEFORE=${BEFORE:-}
ROUNDS_SET=${ROUNDS:-}
ROUNDS=${ROUNDS:-1}
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { printf 'load.sh: ROUNDS=%s: want a whole number of rounds, at least 1\n' "$ROUNDS" >&2; exit 1; }

HOST=127.0.0.1
BASE="http://$HOST:$PORT"
TOKEN=demo-token-change-me
ACCOUNT=00000000-0000-4000-8000-000000000001 # Dixa (demo), config/demo.yaml

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$ROOT/bench"
export BENCH_DIR
cd "$ROOT"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'load.sh: %s\n' "$*" >&2; exit 1; }

# Seconds in a wrk duration (10, 10s, 2m, 1h), to bound wrk with timeout(1).
seconds() {
	local d=$1
	case $d in
	*h) echo $((${d%h} * 3600)) ;;
	*m) echo $((${d%m} * 60)) ;;
	*s) echo "${d%s}" ;;
	*) echo "$d" ;;
	esac
}
[[ $(seconds "$DURATION") =~ ^[0-9]+$ ]] || die "DURATION=$DURATION: want a whole number of seconds, minutes or hours (10s, 2m)"
WRK_LIMIT=$(($(seconds "$DURATION") + 60))

# --- wrk ---------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
	sudo=""
	if [[ $(id -u) != 0 ]]; then
		command -v sudo >/dev/null 2>&1 || die "wrk is missing; install it with: apt-get update && apt-get install -y wrk"
		sudo="sudo"
	fi
	say "wrk is missing; installing it from Debian: $sudo apt-get update && $sudo apt-get install -y wrk"
	$sudo apt-get update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y wrk
fi
for tool in curl timeout; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is missing"
done

# --- temporary directory and clean-up ---------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/unifiedapi-load.XXXXXX")
PIDS=()   # servers started by this script
WRK_PIDS=() # the running wrks (their timeout wrappers)

stop() { # pid: SIGTERM (graceful shutdown), SIGKILL after 10s
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

PG_DIR=""  # the PostgreSQL cluster, once started

cleanup() {
	local pid
	for pid in "${WRK_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		stop "$pid"
	done
	if [[ -n $PG_DIR ]]; then
		scripts/pg-cluster.sh stop "$PG_DIR" || true
	fi
	if [[ -d $WORK/before ]]; then
		git worktree remove --force "$WORK/before" || true
	fi
	if [[ -n $KEEP ]]; then
		say "kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build -------------------------------------------------------------------
say "building bin/unifiedapi and the baselines ($($GO version))"
CGO_ENABLED=0 $GO build -o bin/unifiedapi ./cmd/unifiedapi # as make build
CGO_ENABLED=0 $GO build -o "$WORK/bare" ./bench/bare
if [[ -n $BEFORE ]]; then
	say "building the service at $BEFORE ($(git rev-parse --short "$BEFORE^{commit}"))"
	git worktree add --detach "$WORK/before" "$BEFORE" >&2
	(cd "$WORK/before" && CGO_ENABLED=0 $GO build -o "$WORK/unifiedapi-before" ./cmd/unifiedapi)
elif [[ " $SCENARIOS " == *"-before "* ]]; then
	die "the -before scenarios need BEFORE=<git revision>"
fi
if [[ " $SCENARIOS " == *" ogen-"* ]]; then
	(cd bench/ogen && CGO_ENABLED=0 $GO build -o "$WORK/ogen" ./cmd/ogenserver)
fi

# --- helpers -----------------------------------------------------------------
SERVER_PID=""

SERVER_PIDS=() # the servers of the running scenario

start() { # name command...: starts a server on PORT, waits for /readyz
	start_at "$PORT" "$@"
}

start_at() { # port name command...: starts a server, waits for $READY (the service's)
	local port=$1 name=$2 i base="http://$HOST:$1" ready=${READY:-$SERVICE_READY}
	shift 2
	if curl -s -o /dev/null --max-time 1 "$base/"; then
		die "something already answers on $base; set PORT to a free port"
	fi
	"$@" >"$WORK/$name.out" 2>"$WORK/$name.log" &
	SERVER_PID=$!
	PIDS+=("$SERVER_PID")
	SERVER_PIDS+=("$SERVER_PID")
	for i in $(seq 100); do
		if curl -fs -o /dev/null --max-time 1 "$base$ready"; then
			return 0
		fi
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			tail -n 20 "$WORK/$name.log" >&2 || true
			die "$name: the server exited before answering $ready"
		fi
		sleep 0.1
	done
	die "$name: no answer from $base$ready after 10s"
}

# The service the scenario runs, this tree's or BEFORE's, and the path
# that says it is ready (an earlier revision may have no /readyz).
SERVICE=./bin/unifiedapi
SERVICE_READY=/readyz

start_service() { # name sync: on a new SQLite file, also in a later round
	rm -f "$WORK/$1.db" "$WORK/$1.db-wal" "$WORK/$1.db-shm"
	start "$1" "$SERVICE" -addr "$HOST:$PORT" -db "$WORK/$1.db" -rate 0 -sync "$2"
}

pg_db() { # name: creates database load_NAME on the cluster (started once), sets PG_URL to its URL
	if [[ -z $PG_DIR ]]; then
		# Its own directory: $WORK is private to this user, and as root the
		# cluster runs as another one.
		PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/unifiedapi-load-pg.XXXXXX")
		say "starting a PostgreSQL cluster on 127.0.0.1:$PG_PORT"
		local env
		env=$(scripts/pg-cluster.sh start "$PG_DIR" "$PG_PORT") || die "could not start PostgreSQL"
		eval "$env"
		PG_ADMIN=$UNIFIED_TEST_POSTGRES
	fi
	local db="load_${1//-/_}"
	psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >&2
	PG_URL=${PG_ADMIN/\/postgres\?//$db?}
}

proc_ticks() { # pid...: their utime+stime, in clock ticks (0 for one that is gone)
	local s t=0 pid
	for pid in "$@"; do
		s=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
		s=${s##*) }
		set -- $s
		t=$((t + ${12} + ${13}))
	done
	echo "$t"
}


machine_ticks() { # "total idle iowait", in clock ticks summed over all CPUs
	local cpu user nice system idle iowait irq softirq steal rest
	read -r cpu user nice system idle iowait irq softirq steal rest </proc/stat
	echo "$((user + nice + system + idle + iowait + irq + softirq + steal)) $idle $iowait"
}

children_ticks() { # sets CHILDREN: CPU time of this shell's finished children, in clock ticks
	# times is a builtin: run in this shell (not in $(...), a subshell whose
	# children times start at zero) and read its second line, "0m1.2s 0m0.3s".
	times >"$WORK/times"
	CHILDREN=$(awk -v hz="$CLK_TCK" 'NR == 2 {
		t = 0
		for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
		printf "%d\n", t * hz + 0.5 }' "$WORK/times")
}

CLK_TCK=$(getconf CLK_TCK)
NCPU=$(nproc)
declare -A R # results: R[scenario.key]
WRK_COMMANDS=()

run_wrk() { # name script [ports...]: wrk against each port at once (default PORT), connections split evenly
	local name=$1 script=$2 s0 s1 m0 m1 c0 c1 line kv port i
	shift 2
	local ports=("$@")
	((${#ports[@]})) || ports=("$PORT")
	local conns=$((CONNECTIONS / ${#ports[@]}))
	s0=$(proc_ticks "${SERVER_PIDS[@]}")
	m0=$(machine_ticks)
	children_ticks
	c0=$CHILDREN
	# In the background and waited for, so that a signal to this script is
	# handled at once (bash defers traps until a foreground command ends).
	local pids=()
	for i in "${!ports[@]}"; do
		local cmd=(wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency -s "bench/$script" "http://$HOST:${ports[i]}")
		WRK_COMMANDS+=("$name: ${USER_ID:+USER_ID=$USER_ID }${cmd[*]}")
		say "$name: ${cmd[*]}"
		timeout -k 5 "$WRK_LIMIT" "${cmd[@]}" >"$WORK/$name.wrk$i" 2>&1 &
		pids+=($!)
		WRK_PIDS+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[i]}" || die "$name: wrk failed: $(tail -n 3 "$WORK/$name.wrk$i")"
	done
	WRK_PIDS=()
	children_ticks
	c1=$CHILDREN
	s1=$(proc_ticks "${SERVER_PIDS[@]}")
	m1=$(machine_ticks)
	cat "$WORK/$name".wrk* >"$WORK/$name.wrk"
	cat "$WORK/$name.wrk"

	# Several runs: requests and rates add up, latencies are the worse
	# run's, errors add up.
	for i in "${!ports[@]}"; do
		line=$(grep '^BENCH ' "$WORK/$name.wrk$i") || die "$name: wrk printed no BENCH line"
		for kv in ${line#BENCH }; do
			local k=${kv%%=*} v=${kv#*=}
			if ((i == 0)); then
				R[$name.$k]=$v
			else
				case $k in
				p50_us | p90_us | p99_us | max_us | duration_us) R[$name.$k]=$(awk -v a="${R[$name.$k]}" -v b="$v" 'BEGIN { print (b > a ? b : a) }') ;;
				*) R[$name.$k]=$(awk -v a="${R[$name.$k]}" -v b="$v" 'BEGIN { print a + b }') ;;
				esac
			fi
		done
	done
	local mt0 mi0 mw0 mt1 mi1 mw1 cpu
	read -r mt0 mi0 mw0 <<<"$m0"
	read -r mt1 mi1 mw1 <<<"$m1"
	# Wall time is the machine's ticks over all CPUs divided by their number;
	# "other" is what was busy but neither the server nor wrk (the kernel's
	# softirq work for loopback traffic, and anything else on the machine).
	cpu=$(awk -v dt=$((mt1 - mt0)) -v di=$((mi1 - mi0)) -v dw=$((mw1 - mw0)) \
		-v ds=$((s1 - s0)) -v dc=$((c1 - c0)) -v ncpu="$NCPU" -v n="${R[$name.requests]}" -v hz="$CLK_TCK" 'BEGIN {
		wall = dt / ncpu
		if (wall <= 0) wall = 1
		busy = (dt - di - dw) / wall
		printf "%.2f %.2f %.2f %.2f %.0f %.0f\n", ds / wall, dc / wall, busy - ds / wall - dc / wall,
			(di + dw) / wall, 100 * dw / dt, (n ? ds / hz * 1e6 / n : 0) }')
	read -r R[$name.cpu_server] R[$name.cpu_wrk] R[$name.cpu_other] R[$name.cpu_idle] R[$name.iowait] R[$name.cpu_us_req] <<<"$cpu"
}

# statuses name method: prints "STATUSES ABANDONED" from the service's access
# log, e.g. "201×5000 21": the statuses of the method's requests, except
# those whose client went away: wrk closes its connections when the run
# ends, and requests still queued for the writer then are rolled back and
# logged with status 499 ("client closed request"); no client sees them.
statuses() {
	awk -v m="\"method\":\"$2\"" '
		function field(re, skip) { return match($0, re) ? substr($0, RSTART + skip, RLENGTH - skip) : "" }
		/"msg":"request"/ && index($0, m) {
			st = field("\"status\":[0-9]+", 9)
			if (st == "499") { abandoned++; next }
			n[st]++
		}
		END {
			s = ""
			for (k in n) s = s (s == "" ? "" : ",") k "×" n[k]
			printf "%s %d\n", (s == "" ? "none" : s), abandoned
		}' "$WORK/$1.log"
}

check() { # name method expected-status: fills R[name.note], records failures
	local name=$1 method=$2 want=$3 got abandoned
	sleep 0.3 # the service flushes its log every 100 ms
	read -r got abandoned < <(statuses "$name" "$method")
	if [[ $got =~ ^$want×[0-9]+$ ]]; then
		R[$name.note]="all $want (log: $got)"
	else
		R[$name.note]="UNEXPECTED: log has $got; want only $want"
		FAILED+=("$name")
	fi
	if ((abandoned)); then
		R[$name.note]+="; $abandoned cancelled when wrk stopped (logged 499, never sent)"
	fi
}
FAILED=()

# --- scenarios ---------------------------------------------------------------
all_rejected() { # name [note]: every answer must have been a 400; appends to the note
	local say
	if [[ ${R[$1.non2xx]} == "${R[$1.requests]}" ]]; then
		say="${2:+$2 }(wrk: all non-2xx)"
	else
		say="UNEXPECTED: wrk counted ${R[$1.non2xx]} non-2xx of ${R[$1.requests]}"
		FAILED+=("$1")
	fi
	R[$1.note]+="${R[$1.note]:+; }$say"
}

scenario() {
	local name=$1 kind=$1
	R[$name.note]="" # filled by the checks below, afresh in every round
	SERVICE=./bin/unifiedapi SERVICE_READY=/readyz
	case $name in
	rejected-before | created-before | updated-before | created-pg-before)
		SERVICE=$WORK/unifiedapi-before SERVICE_READY=/healthz
		kind=${name%-before}
		;;
	esac
	case $kind in
	bare)
		READY=/healthz start "$name" "$WORK/bare" -addr "$HOST:$PORT"
		run_wrk "$name" create-invalid.lua
		all_rejected "$name" "fixed 400, no work"
		;;
	rejected)
		start_service "$name" FULL
		run_wrk "$name" create-invalid.lua
		check "$name" POST 400
		all_rejected "$name"
		;;
	ogen-rejected)
		READY=/healthz start "$name" "$WORK/ogen" -addr "$HOST:$PORT"
		run_wrk "$name" create-invalid.lua
		all_rejected "$name" "ogen's 400"
		;;
	ogen-created)
		READY=/healthz start "$name" "$WORK/ogen" -addr "$HOST:$PORT"
		run_wrk "$name" create-valid.lua
		if [[ ${R[$name.non2xx]} == 0 ]]; then
			R[$name.note]="ogen's 201, nothing stored"
		else
			R[$name.note]="UNEXPECTED: wrk counted ${R[$name.non2xx]} non-2xx"
			FAILED+=("$name")
		fi
		;;
	created)
		start_service "$name" FULL
		run_wrk "$name" create-valid.lua
		check "$name" POST 201
		;;
	created-normal)
		start_service "$name" NORMAL
		run_wrk "$name" create-valid.lua
		check "$name" POST 201
		;;
	created-pg)
		pg_db "$name"
		start "$name" "$SERVICE" -addr "$HOST:$PORT" -db "$PG_URL" -rate 0
		run_wrk "$name" create-valid.lua
		check "$name" POST 201
		;;
	created-pg2)
		pg_db "$name"
		"$SERVICE" migrate -db "$PG_URL" >/dev/null
		start_at "$PORT" "$name" "$SERVICE" -addr "$HOST:$PORT" -db "$PG_URL" -rate 0
		start_at "$((PORT + 1))" "$name-b" "$SERVICE" -addr "$HOST:$((PORT + 1))" -db "$PG_URL" -rate 0
		run_wrk "$name" create-valid.lua "$PORT" "$((PORT + 1))"
		cat "$WORK/$name-b.log" >>"$WORK/$name.log"
		check "$name" POST 201
		;;
	updated)
		start_service "$name" FULL
		local id
		id=$(curl -fsS -X POST "$BASE/unified/ticketing/users?integrated_account_id=$ACCOUNT" \
			-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
			-d '{"name":"Jane Doe","emails":[{"email":"jane@example.com","type":"primary"},{"email":"jane.doe@example.org","type":"other"}],"first_name":"Jane","last_name":"Doe","roles":[{"id":"member","name":"Member"}],"team_ids":["1001","1002"]}' |
			grep -o '"id":"[^"]*"' | head -n 1 | cut -d '"' -f 4)
		[[ -n $id ]] || die "updated: could not create the user to update"
		say "updated: PATCHing user $id"
		USER_ID=$id run_wrk "$name" update.lua
		check "$name" PATCH 200
		;;
	*) die "unknown scenario $name (known: bare rejected created created-normal updated created-pg created-pg2 ogen-rejected ogen-created, and rejected-before created-before updated-before created-pg-before with BEFORE)" ;;
	esac
	local pid
	for pid in "${SERVER_PIDS[@]}"; do
		stop "$pid"
	done
	SERVER_PIDS=()
}

busy_cores() { # CPU cores busy on the machine over the next second
	local a b
	a=$(machine_ticks)
	sleep 1
	b=$(machine_ticks)
	echo "$a $b" | awk -v ncpu="$NCPU" '{ dt = $4 - $1; printf "%.2f\n", (dt > 0 ? ncpu * (dt - ($5 - $2) - ($6 - $3)) / dt : 0) }'
}

wait_quiet() { # waits up to QUIET_WAIT seconds for under 0.25 busy cores
	local start=$SECONDS busy told=""
	while :; do
		busy=$(busy_cores)
		if awk -v b="$busy" 'BEGIN { exit !(b < 0.25) }'; then
			return 0
		fi
		if ((SECONDS - start >= QUIET_WAIT)); then
			say "the machine is busy ($busy cores in use by other processes); measuring anyway"
			return 0
		fi
		if [[ -z $told ]]; then
			say "the machine is busy ($busy cores in use by other processes); waiting up to ${QUIET_WAIT}s for it to settle"
			told=1
		fi
	done
}

run_of() { # name round: the run's name, NAME@ROUND with ROUNDS > 1
	if ((ROUNDS > 1)); then echo "$1@$2"; else echo "$1"; fi
}

RUNS=() # every scenario run, in order
for ((round = 1; round <= ROUNDS; round++)); do
	for s in $SCENARIOS; do
		wait_quiet
		scenario "$s"
		if awk -v o="${R[$s.cpu_other]}" 'BEGIN { exit !(o > 0.25) }'; then
			R[$s.note]+="; NOISY: ${R[$s.cpu_other]} cores used by other processes"
		fi
		run=$(run_of "$s" "$round")
		if [[ $run != "$s" ]]; then
			for k in "${!R[@]}"; do
				[[ $k == "$s."* ]] && R[$run.${k#"$s."}]=${R[$k]}
			done
			mv "$WORK/$s.wrk" "$WORK/$run.wrk"
		fi
		RUNS+=("$run")
	done
done

# --- report ------------------------------------------------------------------
ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }

HEADER="| scenario | requests/s | p50 | p99 | requests | non-2xx | socket errors | server CPU µs/req | CPU cores: server / wrk / other / idle | iowait % | responses |"
RULE="|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
TABLE="$HEADER"$'\n'"$RULE"
for s in "${RUNS[@]}"; do
	errs=$((R[$s.connect] + R[$s.read] + R[$s.write] + R[$s.timeout]))
	TABLE+=$'\n'"| $s | ${R[$s.rps]} | $(ms "${R[$s.p50_us]}") | $(ms "${R[$s.p99_us]}") | ${R[$s.requests]} | ${R[$s.non2xx]} | $errs | ${R[$s.cpu_us_req]} | ${R[$s.cpu_server]} / ${R[$s.cpu_wrk]} / ${R[$s.cpu_other]} / ${R[$s.cpu_idle]} | ${R[$s.iowait]} | ${R[$s.note]} |"
done

# ratio A B: A's requests/s over B's as a percentage, in each round (B ran
# minutes before A at most; a single run's ratio moves by about 10 points
# with what else the host runs), then their median: "72%, 77%, 81% 77.0".
ratio() {
	local a=$1 b=$2 round list=""
	for ((round = 1; round <= ROUNDS; round++)); do
		list+=$(awk -v x="${R[$(run_of "$a" "$round").rps]}" -v y="${R[$(run_of "$b" "$round").rps]}" 'BEGIN { printf "%.1f ", 100 * x / y }')
	done
	tr ' ' '\n' <<<"$list" | grep . | sort -n | awk -v list="$list" '{ r[NR] = $1 }
		END {
			n = split(list, l, " "); s = ""
			for (i = 1; i <= n; i++) s = s (i > 1 ? ", " : "") sprintf("%.0f%%", l[i])
			printf "%s %.1f\n", s, (NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2) }'
}

# ratio_line A B TITLE [TARGET]: "TITLE: M%", or with rounds "TITLE by
# round: LIST; median M%"; with TARGET, whether M reaches it; in a single
# run, the two scenarios' server CPU per request.
ratio_line() {
	local r median
	read -r -a r <<<"$(ratio "$1" "$2")"
	median=${r[-1]}
	unset 'r[-1]'
	if ((ROUNDS > 1)); then
		printf '%s by round: %s; median %.1f%%' "$3" "${r[*]}" "$median"
	else
		printf '%s: %.1f%%' "$3" "$median"
	fi
	if [[ -n ${4:-} ]]; then
		awk -v m="$median" -v t="$4" 'BEGIN { printf " (target: at least %d%%: %s)", t, (m >= t ? "met" : "MISSED") }'
	fi
	if ((ROUNDS == 1)); then
		printf '; server CPU per request: %s µs vs %s µs' "${R[$1.cpu_us_req]}" "${R[$2.cpu_us_req]}"
	fi
}

has() { [[ " $SCENARIOS " == *" $1 "* ]]; }
RATIO=""
add_ratio() { # A B TITLE [TARGET], when both scenarios ran
	if has "$1" && has "$2"; then
		RATIO+=${RATIO:+$'\n\n'}$(ratio_line "$@")
	fi
}
add_ratio rejected bare "rejected / bare throughput" 80
for s in rejected created updated created-pg; do
	add_ratio "$s" "$s-before" "$s now / before ($BEFORE)"
done
add_ratio rejected-before bare "rejected-before / bare throughput"
add_ratio rejected ogen-rejected "rejected / ogen-rejected throughput"

DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
STAMP=$(date -u +%Y-%m-%d-%H%M%S)
COMMAND="${ROUNDS_SET:+ROUNDS=$ROUNDS }${BEFORE:+BEFORE=$BEFORE }DURATION=$DURATION THREADS=$THREADS CONNECTIONS=$CONNECTIONS SCENARIOS=\"$SCENARIOS\" bench/load.sh"
mkdir -p bench/results
OUT="bench/results/load-$STAMP.md"
{
	echo "# Load test, $DATE"
	echo
	echo "- command: \`$COMMAND\`"
	echo "- go: \`$($GO version)\`"
	echo "- nproc: $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); kernel: $(uname -r)"
	echo "- wrk: \`$(wrk --version 2>&1 | head -n 1 | sed 's/ Copyright.*//')\`, $THREADS threads, $CONNECTIONS connections, $DURATION per scenario, on the same machine as the server"
	echo "- commit: \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`$(git diff --quiet HEAD 2>/dev/null || echo ' (working tree differs)')"
	[[ -z $BEFORE ]] || echo "- before: \`$BEFORE\` = \`$(git rev-parse --short "$BEFORE^{commit}")\` (the -before scenarios)"
	echo
	echo "$TABLE"
	echo
	[[ -z $RATIO ]] || { echo "$RATIO"; echo; }
	echo "Each scenario ran against a fresh server on $HOST:$PORT (-rate 0, new SQLite file under \$TMPDIR; created-normal with -sync NORMAL, every other SQLite run with -sync FULL;"
	echo "created-pg: one replica on a new PostgreSQL database (a throw-away cluster, default settings: synchronous_commit on, fsync on); created-pg2: two replicas on one database, wrk twice at once, each on one replica with half the connections)."
	echo "PostgreSQL's own processes count as other."
	echo "non-2xx is wrk's count of responses with status >= 400. CPU cores are averages over the run: the server process (/proc/PID/stat), wrk (this shell's children times),"
	echo "other = busy CPU (/proc/stat) that was neither (loopback softirq work, and anything else running on the machine: a high figure means a noisy run), and idle (including iowait)."
	echo "responses: the service's access log, by status."
	echo
	echo "wrk commands:"
	echo
	for c in "${WRK_COMMANDS[@]}"; do echo "- \`$c\`"; done
	echo
	for s in "${RUNS[@]}"; do
		echo "<details><summary>wrk output: $s</summary>"
		echo
		echo '```'
		cat "$WORK/$s.wrk"
		echo '```'
		echo
		echo "</details>"
		echo
	done
} >"$OUT"

echo
echo "$TABLE"
echo
[[ -z $RATIO ]] || echo "$RATIO"
echo "written to $OUT"

if ((${#FAILED[@]})); then
	die "unexpected responses in: ${FAILED[*]}"
fi
