#!/usr/bin/env bash
# `timeward decide` against a mature Python reader on the same 10 000-event file, in one
# run: timeward parses, expands, places the 1:1s and scores every request; the peer
# (Python `icalendar` + `recurring-ical-events`, the versions of tests/external) only
# parses and expands over the same four weeks. ROUNDS runs of each, interleaved; medians
# of wall time, and the ratio.
#   ROUNDS=5 bench/peer.sh
# Needs the test venv (any `cargo test` makes it) or PYTHON pointing to a Python with
# tests/external/requirements.txt installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
PYTHON=${PYTHON:-target/external/python/bin/python}
"$PYTHON" -c 'import icalendar, recurring_ical_events' || {
  echo "no Python with icalendar and recurring-ical-events at $PYTHON (run cargo test once, or set PYTHON)" >&2
  exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --example generate --bin timeward
target/release/examples/generate 10000 "$work"
ls -l "$work/calendar.ics" | awk '{print "calendar: " $5 " bytes"}'
cat > "$work/peer.py" <<'PY'
import sys
from datetime import datetime, timedelta, timezone
import icalendar
import recurring_ical_events
with open(sys.argv[1], "rb") as f:
    cal = icalendar.Calendar.from_ical(f.read())
now = datetime.now(timezone.utc)
n = len(recurring_ical_events.of(cal, components=["VEVENT"]).between(now, now + timedelta(weeks=4)))
print(n, file=sys.stderr)
PY
"$PYTHON" - "$work" "$ROUNDS" "$PYTHON" <<'PY'
import statistics, subprocess, sys, time
work, rounds, python = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cmds = {
    "timeward decide (parse, expand, place, score)": [
        "target/release/timeward", "decide", "--calendar", f"{work}/calendar.ics",
        "--rules", f"{work}/rules.toml", "--json"],
    "python icalendar + recurring-ical-events (parse, expand)": [
        python, f"{work}/peer.py", f"{work}/calendar.ics"],
}
times = {k: [] for k in cmds}
for _ in range(rounds):
    for name, cmd in cmds.items():
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - start)
med = {k: statistics.median(v) for k, v in times.items()}
for k, v in med.items():
    print(f"{k:60} median {v * 1000:8.1f} ms  (best {min(times[k]) * 1000:.1f})")
a, b = med.values()
print(f"ratio (peer / timeward): {b / a:.1f}x")
PY
