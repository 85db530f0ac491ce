"""Reads the mails an SMTP sink kept (N.eml, N.json in DIR) the way a mail client does:
Python's `email` for the MIME structure, `icalendar` for the text/calendar part. Prints
one JSON object per mail: envelope, subject, the calendar part's content type and method
parameter, the iCalendar METHOD, and per VEVENT its UID, SEQUENCE, RECURRENCE-ID (UTC) and
ATTENDEEs with their PARTSTAT, DELEGATED-TO and DELEGATED-FROM. Exits non-zero on a
calendar part that `icalendar` reads with errors."""
import email
import json
import os
import sys
from datetime import timezone

import icalendar

folder = sys.argv[1]
bad = 0
out = []
for name in sorted((n for n in os.listdir(folder) if n.endswith(".eml")), key=lambda n: int(n[:-4])):
    with open(os.path.join(folder, name), "rb") as f:
        msg = email.message_from_binary_file(f)
    with open(os.path.join(folder, name[:-4] + ".json")) as f:
        envelope = json.load(f)
    parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    one = {
        "envelope": envelope,
        "subject": str(email.header.make_header(email.header.decode_header(msg["Subject"]))),
        "from": msg["From"],
        "to": msg["To"],
        "calendar_parts": len(parts),
    }
    if parts:
        part = parts[0]
        one["content_type"] = part.get_content_type()
        one["method_param"] = part.get_param("method")
        cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        for c in cal.walk():
            if c.errors:
                print(f"{name}: {c.name}: {c.errors}", file=sys.stderr)
                bad += 1
        one["method"] = str(cal.get("METHOD"))
        events = []
        for e in cal.walk("VEVENT"):
            rid = e.get("RECURRENCE-ID")
            attendees = e.get("ATTENDEE", [])
            if not isinstance(attendees, list):
                attendees = [attendees]
            events.append({
                "uid": str(e["UID"]),
                "sequence": int(e.get("SEQUENCE", 0)),
                "recurrence_id": rid.dt.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ") if rid else None,
                "comment": str(e["COMMENT"]) if "COMMENT" in e else None,
                "attendees": [{
                    "address": str(a).lower(),
                    "partstat": a.params.get("PARTSTAT"),
                    "delegated_to": a.params.get("DELEGATED-TO"),
                    "delegated_from": a.params.get("DELEGATED-FROM"),
                    "rsvp": a.params.get("RSVP"),
                } for a in attendees],
            })
        one["events"] = events
    out.append(one)
print(json.dumps(out))
sys.exit(1 if bad else 0)
