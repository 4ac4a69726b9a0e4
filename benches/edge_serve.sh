#!/usr/bin/env bash
# Benchmark of `edgeshift edge-serve`: time-table request latency (p50, p99) on 30 days of
# one-minute data (43,200 rows), against recomputing from the file per request (what the
# reference service does, with pandas, on every request).
#
#   benches/edge_serve.sh            # builds --release, prints the figures
#   BIN=target/debug/edgeshift N=50 benches/edge_serve.sh   # quicker, unoptimised
#
# Needs curl. Writes only into a temporary folder; the service listens on 127.0.0.1 port 0.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200}
DAYS=${DAYS:-30}
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/edgeshift
fi
TMP=$(mktemp -d)
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

echo "generating $DAYS days of data (edgeshift synth) ..."
"$BIN" synth "$TMP" --days "$DAYS" >/dev/null 2>&1
ROWS=$(($(wc -l < "$TMP/eden1_measure.csv") - 1))
"$BIN" calibrate "$TMP/eden1_measure.csv" "$TMP/web-server1.csv" web-server1 >/dev/null 2>&1
LIMITS="$TMP/eden1_measure.limits.cleared.csv"
NEWEST=$(tail -1 "$TMP/eden1_measure.csv" | cut -d, -f1)
NEWEST_S=$(date -u -d "${NEWEST/T/ }" +%s)

"$BIN" edge-serve --data "$TMP/eden1_measure.csv" --limits "$LIMITS" --server web-server1 \
  --listen 127.0.0.1:0 > "$TMP/serve.out" 2>/dev/null &
SERVER_PID=$!
for _ in $(seq 100); do grep -q listening "$TMP/serve.out" 2>/dev/null && break; sleep 0.1; done
ADDR=$(sed -n 's#.*http://##p' "$TMP/serve.out")

# stats FILE: p50 p99 mean in ms of one time (seconds) per line
stats() {
  sort -g "$1" | awk '{v[NR]=$1; s+=$1} END {
    i50=int(NR*0.5+0.999); i99=int(NR*0.99+0.999); if(i99>NR)i99=NR;
    printf "p50 %7.2f ms   p99 %7.2f ms   mean %7.2f ms   (n=%d)\n", v[i50]*1000, v[i99]*1000, s/NR*1000, NR }'
}
measure() { # label url-generator
  local label=$1; shift
  : > "$TMP/t"
  for i in $(seq "$N"); do
    curl -s -o /dev/null -w '%{time_total}\n' "$("$@" "$i")" >> "$TMP/t"
  done
  printf '%-58s ' "$label"; stats "$TMP/t"
}
# A different `now` each time defeats the cache: every request computes a table.
minus() { date -u -d "@$((NEWEST_S - 60 * $1))" +%Y-%m-%dT%H:%M:%S; }
u_cached()  { echo "http://$ADDR/time_table/-2h"; }
u_2h()      { echo "http://$ADDR/time_table/2h?now=$(minus "$1")"; }
u_all()     { echo "http://$ADDR/time_table/${DAYS}d?now=$(minus "$1")"; }

echo "edge-serve on $ROWS rows ($DAYS days), $N requests each:"
curl -s -o /dev/null "http://$ADDR/time_table/-2h"
measure "GET /time_table/-2h (cached: same newest row)" u_cached
measure "GET /time_table/2h?now=... (computed, 120 rows)" u_2h
N=$(( N < 20 ? N : 20 )) measure "GET /time_table/${DAYS}d?now=... (computed, all rows)" u_all

# After an append the cache key changes: the next request reads the new line and computes.
: > "$TMP/t"
LAST=$(tail -1 "$TMP/eden1_measure.csv")
for i in $(seq 20); do
  T=$(date -u -d "@$((NEWEST_S + 60 * i))" +%Y-%m-%dT%H:%M:%S.000000)
  echo "$T,${LAST#*,}" >> "$TMP/eden1_measure.csv"
  curl -s -o /dev/null -w '%{time_total}\n' "http://$ADDR/time_table/-2h" >> "$TMP/t"
done
printf '%-58s ' "GET /time_table/-2h after each append (re-read + compute)"; stats "$TMP/t"

# The reference way: read the whole file and recompute for every request.
: > "$TMP/t"
for i in $(seq 5); do
  s=$(date +%s.%N)
  "$BIN" edge-table "$TMP/eden1_measure.csv" "$LIMITS" web-server1 >/dev/null 2>&1
  e=$(date +%s.%N)
  echo "$e - $s" | bc -l >> "$TMP/t"
done
printf '%-58s ' "recompute from the file per request (edgeshift edge-table)"; stats "$TMP/t"
echo "reference (eve_adps: pandas reads the CSV and recomputes per request): seconds"
