// Parses an iCalendar file with Mozilla's ical.js (the parser of Thunderbird's calendar)
// and prints one line per VEVENT: UID, SEQUENCE, start and end in UTC, SUMMARY.
// Exits non-zero if the file does not parse or an event lacks what RFC 5545 requires.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const comp = new ICAL.Component(ICAL.parse(text));
let bad = 0;
for (const v of comp.getAllSubcomponents("vevent")) {
  const e = new ICAL.Event(v);
  const stamp = v.getFirstPropertyValue("dtstamp");
  if (!e.uid || !stamp || !e.startDate || !e.endDate) {
    console.error(`incomplete event: ${e.uid}`);
    bad++;
    continue;
  }
  const utc = (t) => t.toJSDate().toISOString();
  console.log([e.uid, e.sequence, utc(e.startDate), utc(e.endDate), e.summary].join("\t"));
}
console.error(`calname=${comp.getFirstPropertyValue("x-wr-calname")}`);
process.exit(bad ? 1 : 0);
