#!/usr/bin/env bash
# Many executives on one machine: N daemons (one per executive, as the template unit
# runs them), each on its own 2 000-event calendar that changes every poll (one request's
# title is rewritten, so the file's time and length change and the whole cycle runs).
# After a warm-up, CPU time over DURATION seconds and resident memory, per executive.
#   N=50 DURATION=60 POLL=5s bench/density.sh
# INCREMENTAL=true runs them with `incremental = true`.
# Prints the figures that go in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-50}
DURATION=${DURATION:-60}
POLL=${POLL:-5s}
EVENTS=${EVENTS:-2000}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${editor:-}" ] && kill "$editor" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --quiet --example generate --bin timeward
target/release/examples/generate "$EVENTS" "$work/template"
for i in $(seq 1 "$N"); do
  d="$work/exec$i"
  mkdir -p "$d"
  cp "$work/template/calendar.ics" "$work/template/rules.toml" "$d/"
  cat > "$d/timeward.toml" <<TOML
rules = "$d/rules.toml"
state_dir = "$d/state"
listen = "127.0.0.1:0"
poll_interval = "$POLL"
incremental = ${INCREMENTAL:-false}
[source]
kind = "ics"
path = "$d/calendar.ics"
TOML
  env RUST_LOG=info target/release/timeward run --config "$d/timeward.toml" 2>"$d/daemon.log" &
  pids+=("$!")
done
# Every daemon's first cycle.
for i in $(seq 1 "$N"); do
  for _ in $(seq 1 600); do [ -f "$work/exec$i/state/feed.ics" ] && break; sleep 0.1; done
  [ -f "$work/exec$i/state/feed.ics" ] || { cat "$work/exec$i/daemon.log"; exit 1; }
done

# A change in every calendar at every poll: the first SUMMARY alternates between two titles.
(
  n=0
  while true; do
    n=$((n + 1))
    for i in $(seq 1 "$N"); do
      f="$work/exec$i/calendar.ics"
      if [ $((n % 2)) -eq 0 ]; then
        sed -i '0,/^SUMMARY:/s/^SUMMARY:\(.*\)$/SUMMARY:\1 (moved)/' "$f"
      else
        sed -i '0,/^SUMMARY:.* (moved)$/s/ (moved)$//' "$f"
      fi
    done
    sleep "${POLL%s}"
  done
) &
editor=$!

ticks=$(getconf CLK_TCK)
cpu() { # utime + stime of every daemon, in ticks
  local t=0
  for p in "${pids[@]}"; do
    read -r -a s < "/proc/$p/stat"
    t=$((t + s[13] + s[14]))
  done
  echo "$t"
}
sleep 10 # warm-up: a few changed cycles each
c0=$(cpu)
sleep "$DURATION"
c1=$(cpu)
rss=0
for p in "${pids[@]}"; do
  kb=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status")
  rss=$((rss + kb))
done
cores=$(nproc)
changed=$(cat "$work"/exec*/daemon.log | grep -c "feed_changed=true" || true)
awk -v n="$N" -v d="$DURATION" -v c="$((c1 - c0))" -v t="$ticks" -v r="$rss" -v cores="$cores" -v poll="$POLL" -v ev="$EVENTS" -v changed="$changed" 'BEGIN {
  cpu = c / t
  printf "executives: %d, %d events each, a change every poll (%s), measured over %d s\n", n, ev, poll, d
  printf "CPU: %.2f s in all = %.1f%% of one core per executive; %.0f%% of the machine'"'"'s %d cores in all\n", cpu, 100 * cpu / d / n, 100 * cpu / d / cores, cores
  printf "resident memory: %.0f MiB in all, %.1f MiB per executive\n", r / 1024, r / 1024 / n
  printf "cycles that changed the feed, all daemons, whole run: %d\n", changed
}'
