"""The occurrences of an iCalendar file in [FROM, TO), as a mature reader expands them:
Python `icalendar` parses, `recurring-ical-events` expands (RRULE, RDATE, EXDATE,
RECURRENCE-ID with RANGE=THISANDFUTURE). Prints one JSON object per line, sorted:
{"id": UID, "start": UTC RFC 3339, "end": UTC RFC 3339, "all_day": bool}.
Floating times and all-day dates are read in UTC, as `timeward agenda` reads them without
--rules. Exit 3 when the peer itself cannot read the file.

    peer_occurrences.py FILE FROM TO
    peer_occurrences.py --many FROM TO < paths     (one {"file", "rows" | "error"} a line)"""
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


def occurrences(path, start, end):
    """The sorted rows of one file; raises where the peer cannot read it."""
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read(), multiple=True)
    found = []
    for c in cal:
        found.extend(recurring_ical_events.of(c, components=["VEVENT"]).between(start, end))
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
    return [
        {"id": r[0], "start": r[1], "end": r[2], "all_day": r[3]}
        for r in sorted(rows, key=lambda r: (r[1], r[0], r[2]))
    ]


def when(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def main(args):
    if args[0] == "--many":
        # FROM TO, then one path per line on stdin: one JSON object per file on stdout.
        start, end = when(args[1]), when(args[2])
        for path in sys.stdin.read().split("\n"):
            if not path:
                continue
            try:
                out = {"file": path, "rows": occurrences(path, start, end)}
            except Exception as e:  # the peer's own limits: reported, not compared
                out = {"file": path, "error": type(e).__name__}
            print(json.dumps(out), flush=True)
        return
    path, start, end = args[0], when(args[1]), when(args[2])
    try:
        rows = occurrences(path, start, end)
    except Exception as e:  # the peer's own limits: reported, not compared
        print(f"peer cannot read {path}: {type(e).__name__}", file=sys.stderr)
        sys.exit(3)
    for r in rows:
        print(json.dumps(r))


if __name__ == "__main__":
    main(sys.argv[1:])
