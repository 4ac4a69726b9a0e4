#!/usr/bin/env bash
# Bench script: `edgeshift calibrate` as a user runs it (the release binary, files in and
# out) on synthetic one-minute recordings of 30 days (43 200 rows) and a year (525 600
# rows), plus `edgeshift synth` itself. Prints wall and CPU seconds (min and median of the
# runs) and rows per second;
# rows/s roughly constant from 30 days to a year means the chain is linear.
# The reference prototype needs about 14 s for the 30-day case; the target is < 140 ms.
#
# Usage: benches/calibrate.sh [RUNS]   (default 7 runs per case; min and median reported)
#        QUICK=1 benches/calibrate.sh  (30 days only)
# For the in-memory figures (calibrate_frames, smoothing variants) run
#        cargo bench --bench calibrate
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
cargo build --release --quiet --bin edgeshift
bin=$PWD/target/release/edgeshift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# stats N CMD...: runs CMD N times, prints "wall_min wall_median cpu_min cpu_median" in
# seconds (cpu = user + system, all threads). The machine may be shared: the minimum is
# the figure closest to an idle machine, the median shows the spread.
stats() {
  local n=$1; shift
  : >"$work/runs"
  for _ in $(seq "$n"); do
    /usr/bin/time -o "$work/time" -f '%e %U %S' "$@" >/dev/null 2>&1
    tail -1 "$work/time" | awk '{print $1, $2 + $3}' >>"$work/runs"
  done
  local walls cpus
  walls=$(cut -d' ' -f1 "$work/runs" | sort -g)
  cpus=$(cut -d' ' -f2 "$work/runs" | sort -g)
  printf '%s %s %s %s\n' \
    "$(echo "$walls" | head -1)" "$(echo "$walls" | sed -n "$(( (n + 1) / 2 ))p")" \
    "$(echo "$cpus" | head -1)" "$(echo "$cpus" | sed -n "$(( (n + 1) / 2 ))p")"
}

cases=("30 43200")
[ -n "${QUICK:-}" ] || cases+=("365 525600")
printf '%-6s %-26s %9s %9s %9s %9s %14s\n' case step wall_min wall_med cpu_min cpu_med "rows/s (wall)"
for c in "${cases[@]}"; do
  set -- $c
  days=$1 rows=$2
  dir=$work/d$days
  read -r wmin wmed cmin cmed < <(stats 1 "$bin" synth "$dir" --days "$days" --nodes 1)
  printf '%-6s %-26s %9.3f %9.3f %9.3f %9.3f %14.0f\n' "${days}d" "synth (1 node, 2 files)" "$wmin" "$wmed" "$cmin" "$cmed" "$(echo "$rows / $wmin" | bc -l)"
  for smoothing in gcv 10 off; do
    read -r wmin wmed cmin cmed < <(stats "$runs" "$bin" calibrate "$dir/eden1_measure.csv" "$dir/web-server1.csv" web-server1 --smoothing "$smoothing")
    printf '%-6s %-26s %9.3f %9.3f %9.3f %9.3f %14.0f\n' "${days}d" "calibrate --smoothing $smoothing" "$wmin" "$wmed" "$cmin" "$cmed" "$(echo "$rows / $wmin" | bc -l)"
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (figures are inflated when other jobs run)"
