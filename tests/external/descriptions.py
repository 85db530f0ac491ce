"""Prints each VEVENT's UID and DESCRIPTION as Python's `icalendar` reads them (JSON)."""
import json
import sys

import icalendar

with open(sys.argv[1], "rb") as f:
    cal = icalendar.Calendar.from_ical(f.read())
print(json.dumps({str(e["UID"]): str(e.get("DESCRIPTION", "")) for e in cal.walk("VEVENT")}))
