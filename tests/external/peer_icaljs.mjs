// The occurrences of an iCalendar file in [FROM, TO) as Mozilla's ical.js (Thunderbird's
// calendar library) expands them; the same output as peer_occurrences.py. Floating times
// and all-day dates are read in UTC, as `timeward agenda` reads them without --rules.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [path, fromArg, toArg] = process.argv.slice(2);
const from = Date.parse(fromArg);
const to = Date.parse(toArg);
const comp = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
for (const tz of comp.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(tz);
}
const utc = (t) => {
  if (t.zone === ICAL.Timezone.localTimezone || t.isDate) {
    return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  }
  return t.toJSDate().getTime();
};
const rows = new Set();
const masters = new Map();
for (const v of comp.getAllSubcomponents("vevent")) {
  const e = new ICAL.Event(v);
  if (e.isRecurrenceException()) {
    const m = masters.get(e.uid);
    if (m) m.relateException(e);
    else masters.set(e.uid + "#orphan" + rows.size, e);
    continue;
  }
  masters.set(e.uid, e);
}
for (const v of comp.getAllSubcomponents("vevent")) {
  const e = new ICAL.Event(v);
  if (e.isRecurrenceException() && masters.get(e.uid)) continue;
}
const push = (uid, s, e, allDay) => {
  const a = utc(s);
  const b = utc(e);
  if ((a === b && a >= from && a < to) || (a < to && b > from)) {
    rows.add(JSON.stringify({ id: uid, start: new Date(a).toISOString(), end: new Date(b).toISOString(), all_day: allDay }));
  }
};
for (const e of masters.values()) {
  if (!e.isRecurring()) {
    push(e.uid, e.startDate, e.endDate, e.startDate.isDate);
    continue;
  }
  const it = e.iterator();
  let next;
  let n = 0;
  while ((next = it.next()) && n++ < 100000) {
    const d = e.getOccurrenceDetails(next);
    if (utc(d.startDate) >= to) break;
    if ((d.item.component.getFirstPropertyValue("status") || "").toUpperCase() === "CANCELLED") continue;
    push(e.uid, d.startDate, d.endDate, d.startDate.isDate);
  }
}
for (const r of [...rows].sort((a, b) => {
  const x = JSON.parse(a), y = JSON.parse(b);
  return x.start < y.start ? -1 : x.start > y.start ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
})) console.log(r);
