#!/usr/bin/env bash
# Bench script: `edgeshift calibrate` as a user runs it (the release binary, files in and
# out) on synthetic one-minute recordings of 30 days (43 200 rows) and a year (525 600
# rows), plus `edgeshift synth` itself. Prints wall and CPU seconds and rows per second;
# rows/s roughly constant from 30 days to a year means the chain is linear.
# The reference prototype needs about 14 s for the 30-day case; the target is < 140 ms.
#
# Usage: benches/calibrate.sh [RUNS]   (default 3 runs per case; the best is reported)
#        QUICK=1 benches/calibrate.sh  (30 days only)
# For the in-memory figures (calibrate_frames, smoothing variants) run
#        cargo bench --bench calibrate
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release --quiet --bin edgeshift
bin=$PWD/target/release/edgeshift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# best_of N CMD...: runs CMD N times, prints "wall_s cpu_s" (cpu = user + system) of the
# run with the least CPU time (the machine may be shared: CPU time is the steadier figure).
best_of() {
  local n=$1; shift
  local best_wall= best_cpu=
  for _ in $(seq "$n"); do
    local out wall cpu
    /usr/bin/time -o "$work/time" -f '%e %U %S' "$@" >/dev/null 2>&1
    out=$(tail -1 "$work/time")
    wall=$(echo "$out" | cut -d' ' -f1)
    cpu=$(echo "$out" | awk '{print $2 + $3}')
    if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc -l)" = 1 ]; then
      best_wall=$wall; best_cpu=$cpu
    fi
  done
  printf '%s %s\n' "$best_wall" "$best_cpu"
}

cases=("30 43200")
[ -n "${QUICK:-}" ] || cases+=("365 525600")
printf '%-6s %-28s %8s %8s %16s\n' case step wall_s cpu_s "rows/s (cpu)"
for c in "${cases[@]}"; do
  set -- $c
  days=$1 rows=$2
  dir=$work/d$days
  read -r wall cpu < <(best_of 1 "$bin" synth "$dir" --days "$days" --nodes 1)
  printf '%-6s %-28s %8.3f %8.3f %16.0f\n' "${days}d" "synth (1 node, 2 files)" "$wall" "$cpu" "$(echo "$rows / $cpu" | bc -l)"
  for smoothing in gcv 10 off; do
    read -r wall cpu < <(best_of "$runs" "$bin" calibrate "$dir/eden1_measure.csv" "$dir/web-server1.csv" web-server1 --smoothing "$smoothing")
    printf '%-6s %-28s %8.3f %8.3f %16.0f\n' "${days}d" "calibrate --smoothing $smoothing" "$wall" "$cpu" "$(echo "$rows / $cpu" | bc -l)"
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (figures are inflated when other jobs run)"
