#!/usr/bin/env bash
# The floor benchmark (issue 14 §1): the generated starter app against a
# minimal hand-written baseline, in one run.
#
# It generates the default starter into a temporary folder, builds it,
# starts it (configured through REGSTACK_* variables, rate limits off),
# signs one user up and in, and starts bench/floor's baseline, a bare
# net/http GET /me over the same database (HS256 with the session key
# derived once, one query joining the user and the logout check, the
# bulk-revocation cutoff, the same JSON), and a second baseline that checks
# the token with golang-jwt instead of by hand. The same closed-loop load
# generator drives all three (fixed concurrency, warm-up, RUNS runs,
# median) and prints me_ratio = app/baseline and me_ratio_golang_jwt =
# app/(the golang-jwt baseline) with the throughputs and p50/p99.
# Then logins/s of the app against argon2.IDKey's rate with the same
# parameters and concurrency: login_ratio. Numbers are printed, never
# asserted (the goal is >= 0.90 for both).
#
#   bench/floor.sh                                   # SQLite
#   BENCH_BACKEND=postgres BENCH_DATABASE_URL=postgres://... bench/floor.sh
#   CONC=16 DUR=5s RUNS=5 bench/floor.sh
#
# The app, the baseline and the load generator share the machine's cores,
# so the ratio is the meaningful figure, not the absolute rates.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BACKEND="${BENCH_BACKEND:-sqlite}"
DBURL="${BENCH_DATABASE_URL:-}"
CONC="${CONC:-8}"
LOGIN_CONC="${LOGIN_CONC:-4}"
DUR="${DUR:-3s}"
LOGIN_DUR="${LOGIN_DUR:-12s}"
RUNS="${RUNS:-3}"

if [ "$BACKEND" = postgres ] && [ -z "$DBURL" ]; then
	echo "bench/floor.sh: BENCH_BACKEND=postgres needs BENCH_DATABASE_URL" >&2
	exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/regstack" .
"$work/regstack" gen --yes --dir "$work/host" --backend "$BACKEND" >"$work/gen.log" 2>&1 || { cat "$work/gen.log"; exit 1; }
(cd "$work/host" && go build -o "$work/app" .)
(cd bench/floor && go build -o "$work/floor" .)
"$work/floor" run -app "$work/app" -host "$work/host" -backend "$BACKEND" -db "$DBURL" \
	-c "$CONC" -login-c "$LOGIN_CONC" -d "$DUR" -login-d "$LOGIN_DUR" -runs "$RUNS"
