#!/usr/bin/env bash
# Wall time, CPU time and peak RSS of `regstack gen --yes --no-tidy`: the
# default scenario generated into a fresh folder, end to end as a process
# (start-up, render, gofmt, snapshot, durable writes), without go get and
# go mod tidy, whose time is the network's and the go command's.
#
# It builds bin/regstack, then runs gen RUNS times through bench/gentime,
# which prints the medians (wall, user and system CPU) and the highest peak
# RSS. Numbers are printed, never asserted: a loaded machine (a CI run next
# door) moves the wall time far more than any change here, so compare runs
# made back to back, and look at user CPU too.
#
#   bench/gen.sh                    # 9 runs
#   RUNS=25 bench/gen.sh
#   REGSTACK=/tmp/regstack-old bench/gen.sh   # another build, for a comparison
#   GEN_FLAGS="--backend postgres" bench/gen.sh
#   TMPDIR=/dev/shm bench/gen.sh    # on tmpfs: without the disk's share
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS="${RUNS:-9}"
REGSTACK="${REGSTACK:-}"
GEN_FLAGS="${GEN_FLAGS:-}"

if [ -z "$REGSTACK" ]; then
	go build -o bin/regstack .
	REGSTACK=bin/regstack
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/gentime" ./bench/gentime

# One warm-up run, so the first measured one does not pay for cold caches.
"$REGSTACK" gen --yes --no-tidy --dir "$work/host" $GEN_FLAGS >/dev/null
# shellcheck disable=SC2086 # GEN_FLAGS is a list of flags
"$work/gentime" -n "$RUNS" -fresh "$work/host" -- "$REGSTACK" gen --yes --no-tidy --dir "$work/host" $GEN_FLAGS
