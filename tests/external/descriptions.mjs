// Prints each VEVENT's UID and DESCRIPTION as Mozilla's ical.js reads them (JSON).
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const comp = new ICAL.Component(ICAL.parse(readFileSync(process.argv[2], "utf8")));
const out = {};
for (const v of comp.getAllSubcomponents("vevent")) {
  out[v.getFirstPropertyValue("uid")] = v.getFirstPropertyValue("description") || "";
}
console.log(JSON.stringify(out));
