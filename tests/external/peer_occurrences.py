"""The occurrences of an iCalendar file in [FROM, TO), as a mature reader expands them:
Python `icalendar` parses, `recurring-ical-events` expands (RRULE, RDATE, EXDATE,
RECURRENCE-ID with RANGE=THISANDFUTURE). Prints one JSON object per line, sorted:
{"id": UID, "start": UTC RFC 3339, "end": UTC RFC 3339, "all_day": bool}.
Floating times and all-day dates are read in UTC, as `timeward agenda` reads them without
--rules. Exit 3 when the peer itself cannot read the file."""
import json
import sys
from datetime import date, datetime, timezone

import icalendar
import recurring_ical_events


def utc(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)


def main(path, start, end):
    start = datetime.fromisoformat(start.replace("Z", "+00:00"))
    end = datetime.fromisoformat(end.replace("Z", "+00:00"))
    try:
        with open(path, "rb") as f:
            cal = icalendar.Calendar.from_ical(f.read())
        found = recurring_ical_events.of(cal, components=["VEVENT"]).between(start, end)
    except Exception as e:  # the peer's own limits: reported, not compared
        print(f"peer cannot read {path}: {type(e).__name__}", file=sys.stderr)
        sys.exit(3)
    rows = set()
    for e in found:
        s = e.get("DTSTART")
        if s is None:
            continue
        s = s.dt
        en = e.get("DTEND")
        en = en.dt if en is not None else s
        if e.get("STATUS", "").upper() == "CANCELLED":
            continue
        all_day = isinstance(s, date) and not isinstance(s, datetime)
        rows.add((str(e.get("UID", "")), utc(s).isoformat(), utc(en).isoformat(), all_day))
    for r in sorted(rows, key=lambda r: (r[1], r[0], r[2])):
        print(json.dumps({"id": r[0], "start": r[1], "end": r[2], "all_day": r[3]}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
