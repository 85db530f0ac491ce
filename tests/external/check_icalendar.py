"""Parses an iCalendar file with Python's `icalendar` and prints one line per VEVENT
(UID, SEQUENCE, start and end in UTC, SUMMARY). Exits non-zero if any component carries
parse errors (icalendar records them in `component.errors` instead of raising)."""
import sys
from datetime import timezone

import icalendar

with open(sys.argv[1], "rb") as f:
    cal = icalendar.Calendar.from_ical(f.read())
bad = 0
for c in cal.walk():
    if c.errors:
        print(f"{c.name}: {c.errors}", file=sys.stderr)
        bad += 1
for e in cal.walk("VEVENT"):
    start = e.decoded("DTSTART").astimezone(timezone.utc).isoformat()
    end = e.decoded("DTEND").astimezone(timezone.utc).isoformat()
    print("\t".join([str(e["UID"]), str(e.get("SEQUENCE", 0)), start, end, str(e["SUMMARY"])]))
sys.exit(1 if bad else 0)
