#!/usr/bin/env bash
# Idle resident memory of the daemon with 10 000 events, started as a user would start
# it (no MIMALLOC_* in the environment): VmRSS two seconds after the first cycle, then
# after CYCLES more cycles on a changed calendar (each parses the whole file again), and
# the peak (VmHWM).
#   CYCLES=5 bench/idle-memory.sh
# INCREMENTAL=true runs it with `incremental = true`.
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES=${CYCLES:-5}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; } || true; rm -rf "$work"; }
trap cleanup EXIT
cargo build --release --quiet --example generate --bin timeward
target/release/examples/generate 10000 "$work" >/dev/null
cat > "$work/timeward.toml" <<TOML
rules = "$work/rules.toml"
state_dir = "$work/state"
listen = "127.0.0.1:0"
poll_interval = "1s"
incremental = ${INCREMENTAL:-false}
[source]
kind = "ics"
path = "$work/calendar.ics"
TOML
for v in $(env | grep -o '^MIMALLOC_[A-Z_]*' || true); do unset "$v"; done
RUST_LOG=info target/release/timeward run --config "$work/timeward.toml" 2>"$work/daemon.log" &
pid=$!
cycles() { grep -c "cycle done" "$work/daemon.log" || true; }
for _ in $(seq 1 600); do [ "$(cycles)" -ge 1 ] && break; sleep 0.1; done
[ "$(cycles)" -ge 1 ] || { cat "$work/daemon.log"; exit 1; }
sleep 2
rss() { awk "/^$1/ {printf \"%.1f MiB\", \$2 / 1024}" "/proc/$pid/status"; }
echo "after the first cycle: VmRSS $(rss VmRSS)"
for n in $(seq 1 "$CYCLES"); do
  sed -i "0,/^SUMMARY:/s/^SUMMARY:\(.*\)$/SUMMARY:\1 $n/" "$work/calendar.ics"
  want=$(( $(cycles) + 1 ))
  for _ in $(seq 1 100); do [ "$(cycles)" -ge "$want" ] && break; sleep 0.1; done
done
sleep 2
echo "after $CYCLES more cycles on a changed calendar: VmRSS $(rss VmRSS)"
echo "peak: VmHWM $(rss VmHWM)"
# The daemon's own figures for each cycle after the first (a changed calendar), from its
# log: the read of the changed file (`read_ms`: read, parsed, compacted), from the
# calendar read to the feed served (`served_ms`: decide, record in the store, render),
# and the whole cycle after the read (`ms`: and the files written after).
for field in read_ms served_ms ms; do
  grep "cycle done" "$work/daemon.log" | tail -n +2 | grep -o " $field=[0-9.]*" | cut -d= -f2 | sort -g |
    awk -v f="$field" '{a[NR] = $1} END {printf "cycles on a changed calendar: %d, %s median %.2f (fastest %.2f, slowest %.2f)\n", NR, f, a[int((NR + 1) / 2)], a[1], a[NR]}'
done
# The whole cycle from the source read (`read_ms`: the changed file read, parsed and
# compacted) to the files written (`ms`), for the cycles that followed a read.
grep "cycle done" "$work/daemon.log" | tail -n +2 | grep "read_ms=" |
  sed 's/.* read_ms=\([0-9.]*\).* ms=\([0-9.]*\).*/\1 \2/' | awk '{print $1 + $2}' | sort -g |
  awk '{a[NR] = $1} END {printf "cycles after a read: %d, source read to files written (read_ms + ms) median %.2f (fastest %.2f, slowest %.2f)\n", NR, a[int((NR + 1) / 2)], a[1], a[NR]}'
