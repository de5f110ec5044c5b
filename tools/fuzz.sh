#!/usr/bin/env bash
# tools/fuzz.sh: run every native Go fuzz target for FUZZTIME, one after the
# other (`make fuzz` calls it; docs/testing.md, "Fuzzing").
#
#   FUZZTIME          how long each target runs (default 30s; 10m for a long run)
#   FUZZ              only targets whose name matches this regexp (awk's ERE)
#   FUZZ_SCOPE        generator, host or all (default all)
#   FUZZMINIMIZETIME  how long the engine may minimise one input (default 5s;
#                     Go's 60s default stalls a short run on every new input)
#   FUZZ_PARALLEL     fuzz workers per target (default 1: the runs share
#                     the machine, and one worker is what CI has)
#
# The generator's targets live in internal/...; the generated suite's live
# in blueprints/_common/pkg/** and only compile inside a host, so this
# script generates a scratch host with every optional feature (except
# Google, which needs nothing the targets cover) and fuzzes there.
#
# A finding fails the run. In the generator the engine writes the input to
# internal/<pkg>/testdata/fuzz/<Target>/, which is where a regression seed
# belongs. In the scratch host it writes it under the host, which is then
# kept and its path printed: copy the input into the target's f.Add seeds in
# the blueprint. Go 1.26 can fail a target with a bare "context deadline
# exceeded" at the end of its time when the machine is busy
# (go.dev/issue/75804, fixed in Go 1.27); no input is written then, and this
# script reports it as "ok (deadline race)" rather than as a finding.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-30s}
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-5s}
FUZZ_PARALLEL=${FUZZ_PARALLEL:-1}
FUZZ=${FUZZ:-.}
FUZZ_SCOPE=${FUZZ_SCOPE:-all}

summary=""
failed=0
logdir=$(mktemp -d)
host=""
keep_host=0
cleanup() {
	rm -rf "$logdir"
	if [ -n "$host" ] && [ "$keep_host" = 0 ]; then rm -rf "$host"; fi
}
trap cleanup EXIT

# targets DIR: "pkgdir Target" for every fuzz target under DIR.
targets() {
	grep -rsE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' "$1" |
		sed -E 's#^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' |
		awk -v re="$FUZZ" '$2 ~ re' | sort -u
}

# run MODULE_DIR PKG_DIR TARGET: fuzz one target and add a summary line.
run() {
	local mod=$1 pkg=$2 target=$3 log result rc stats
	log="$logdir/$target.log"
	echo "==> $target ($pkg) for $FUZZTIME"
	set +e
	(cd "$mod" && GOMAXPROCS=$FUZZ_PARALLEL $GO test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" \
		-fuzzminimizetime "$FUZZMINIMIZETIME" -parallel "$FUZZ_PARALLEL" "./$pkg") >"$log" 2>&1
	rc=$?
	set -e
	# The last progress line: total execs and elapsed time, and their ratio.
	stats=$(grep -E '^fuzz: elapsed: .*execs: [0-9]+' "$log" | tail -1 | awk '{
		e = $3; sub(/,$/, "", e); n = $5
		s = 0; if (match(e, /[0-9]+h/)) s += 3600 * substr(e, RSTART, RLENGTH - 1)
		if (match(e, /[0-9]+m/)) s += 60 * substr(e, RSTART, RLENGTH - 1)
		if (match(e, /[0-9]+s/)) s += substr(e, RSTART, RLENGTH - 1)
		printf "%d execs in %s (%d/s)", n, e, s ? n / s : 0 }' || true)
	if [ $rc = 0 ]; then
		result="ok"
	elif grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written to' "$log"; then
		result="ok (deadline race, go.dev/issue/75804)"
	else
		result="FAILED"
		failed=1
		tail -40 "$log"
		if [ "$mod" != "$root" ]; then
			keep_host=1
			rel=${pkg#internal/auth}
			echo "    the input is under $mod/$pkg/testdata/fuzz/$target/ (host kept);" \
				"add it to the f.Add seeds of $target in blueprints/_common/pkg${rel:+/${rel#/}}"
		fi
	fi
	summary="$summary$(printf '%-28s %-26s %-8s %s' "$target" "$pkg" "$result" "${stats:-}")\n"
}

if [ "$FUZZ_SCOPE" = all ] || [ "$FUZZ_SCOPE" = generator ]; then
	while read -r pkg target; do
		[ -n "$target" ] && run "$root" "$pkg" "$target"
	done < <(targets internal)
fi

if [ "$FUZZ_SCOPE" = all ] || [ "$FUZZ_SCOPE" = host ]; then
	$GO build -o bin/regstack .
	host=$(mktemp -d "${TMPDIR:-/tmp}/regstack-fuzz.XXXXXX")
	echo "==> generating a scratch host in $host"
	bin/regstack gen --yes --dir "$host" --admin --sms --sms-backend sns --email-backend ses --pages >"$logdir/gen.log" 2>&1 ||
		{ cat "$logdir/gen.log"; exit 1; }
	while read -r pkg target; do
		[ -n "$target" ] && run "$host" "${pkg#"$host"/}" "$target"
	done < <(targets "$host/internal")
fi

printf '\n==> make fuzz: %s per target\n%b' "$FUZZTIME" "$summary"
exit $failed
