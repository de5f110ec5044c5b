#!/usr/bin/env bash
# bench/scale/run.sh: how the hot and admin queries cost as the user table
# grows. Generates a host (SQLite by default; PostgreSQL when
# SCALE_DATABASE_URL is a postgres:// URL), writes the loader and timer
# (scaleload.go.in) into it as internal/scaleload, loads N users through
# the store's bulk path (ImportUsers, batches of 10 000 per transaction)
# and prints p50/p99 of each query.
#
#   bench/scale/run.sh                      # N=1000000, SQLite
#   N=100000 bench/scale/run.sh
#   N=100000 SCALE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale?sslmode=disable bench/scale/run.sh
#
# WORK (default a new temporary folder) keeps the host and the SQLite file;
# run again with the same WORK and a larger N to add users instead of
# reloading. SAMPLES sets the timed calls per query (default 200).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
N=${N:-1000000}
SAMPLES=${SAMPLES:-200}
WORK=${WORK:-$(mktemp -d /tmp/regstack-scale.XXXXXX)}
DBURL=${SCALE_DATABASE_URL:-sqlite:///$WORK/scale.db}
backend=sqlite
case $DBURL in postgres*) backend=postgres ;; esac

make -s -C "$root" build
host=$WORK/host
if [ ! -f "$host/go.mod" ]; then
	"$root/bin/regstack" gen --yes --backend "$backend" --dir "$host" >/dev/null
fi
rm -rf "$host/internal/scaleload"
module=$(cd "$host" && go list -m)
authdir=$(cd "$host" && go list -f '{{.ImportPath}}' ./internal/... | grep -E '/store$' | sed 's#/store$##' | head -1)
mkdir -p "$host/internal/scaleload"
sed -e "s#HOSTAUTH#$authdir#g" -e "s#HOSTBACKEND#$backend#g" "$root/bench/scale/scaleload.go.in" > "$host/internal/scaleload/main.go"
echo "host $host (module $module), database $DBURL" >&2
cd "$host"
go build -o "$WORK/scaleload" ./internal/scaleload
"$WORK/scaleload" -db "$DBURL" -n "$N" -samples "$SAMPLES"
