#!/usr/bin/env bash
# Load test of the generated starter app: authenticated GET /me over real
# HTTP (keep-alive) against the app running as its own process.
#
# It runs BenchmarkLiveMe from the e2e module, which generates the default
# scenario, builds the starter app, starts it on a free port with a fresh
# SQLite database, registers and logs in one user, then hammers GET /me from
# GOMAXPROCS×4 goroutines and prints req/s and p50/p90/p99 latency.
# Numbers are printed, never asserted.
#
#   bench/me.sh                       # 5s at the default GOMAXPROCS
#   BENCHTIME=20s CPUS=1,2 bench/me.sh
#   BENCH=BenchmarkLiveLogin bench/me.sh   # login (Argon2id) instead
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../e2e"

BENCH="${BENCH:-BenchmarkLiveMe}"
BENCHTIME="${BENCHTIME:-5s}"
CPUS="${CPUS:-}"
args=(-run '^$' -bench "^${BENCH}\$" -benchtime "$BENCHTIME" -count 1 -timeout 20m)
if [ -n "$CPUS" ]; then args+=(-cpu "$CPUS"); fi
exec go test "${args[@]}" .
