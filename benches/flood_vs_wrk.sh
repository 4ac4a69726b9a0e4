#!/usr/bin/env bash
# Compares `edgeshift flood` (closed loop) with wrk against a fast local server.
#
# usage: benches/flood_vs_wrk.sh [SECONDS=10] [CONNECTIONS=50] [ROUNDS=1]
#
# Starts `edgeshift web-server --workers 64 --work 0ms` on 127.0.0.1 (a free port), runs
# `wrk -t2 -cN -dS` and `edgeshift flood --concurrency N` for the same time (alternating,
# ROUNDS times each), and prints both responses/s and the ratio flood/wrk. Both generators
# share the machine with the server, as they would in the testbed. Target: ratio >= 0.90.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
CONN=${2:-50}
ROUNDS=${3:-1}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
cargo build --release --quiet
BIN=target/release/edgeshift
TMP=$(mktemp -d)
"$BIN" web-server --listen 127.0.0.1:0 --workers 64 --work 0ms >"$TMP/server.out" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do
  grep -q "listening on" "$TMP/server.out" 2>/dev/null && break
  sleep 0.1
done
URL="$(sed -n 's/^listening on //p' "$TMP/server.out")/"
MINUTES=$(awk -v s="$SECS" 'BEGIN { printf "%.6f", s / 60 }')
echo "server: $URL (edgeshift web-server --workers 64 --work 0ms); $SECS s, $CONN connections, $(nproc) CPUs"
WRK_SUM=0
FLOOD_SUM=0
for r in $(seq "$ROUNDS"); do
  W=$(wrk -t2 -c"$CONN" -d"${SECS}s" "$URL" | awk '/Requests\/sec:/ { print $2 }')
  F=$("$BIN" flood "$URL" "$MINUTES" --concurrency "$CONN" --json | awk -F': ' '/"req_per_s"/ { gsub(",", "", $2); print $2 }')
  printf "round %d: wrk %10.1f req/s   edgeshift flood %10.1f req/s   ratio %.3f\n" "$r" "$W" "$F" "$(awk -v f="$F" -v w="$W" 'BEGIN { print f / w }')"
  WRK_SUM=$(awk -v a="$WRK_SUM" -v b="$W" 'BEGIN { print a + b }')
  FLOOD_SUM=$(awk -v a="$FLOOD_SUM" -v b="$F" 'BEGIN { print a + b }')
done
awk -v w="$WRK_SUM" -v f="$FLOOD_SUM" -v n="$ROUNDS" \
  'BEGIN { printf "mean: wrk %.1f req/s, edgeshift flood %.1f req/s, ratio %.3f (target >= 0.90)\n", w / n, f / n, f / w }'
