//! The content lines of one block into the `icalendar` crate's parsed [`Component`], without
//! its parser: the lines are already unfolded and decoded ([`super::lines`]), so each is
//! split once — the name, the parameters (quoted values may hold `;`, `:` and `,`), the
//! value after the first unquoted `:` — borrowing from the line's text. A line that is not
//! NAME[;PARAMS]:VALUE is left out with a warning (a description line that lost its fold,
//! say), the rest of the event read. The grammar and the
//! value unescaping are those of `icalendar::parser` (0.17): a name of letters, digits and
//! `-._,/`; `;KEY`, `;KEY=`, `;KEY=VALUE` or `;KEY="VALUE"[,"VALUE"…]` parameters; TEXT values
//! (by the `VALUE` parameter, else by the property's name, `X-` names included) unescaped,
//! the text lists `CATEGORIES` and `RESOURCES` left as written. Where BEGIN/END do not pair
//! it is more lenient than that parser (which gives the event up, or — comparing only a
//! prefix — closes `BEGIN:V` with `END:VALARM`): an END closes the innermost open component
//! of its name and those open inside it; an END of no open component is left out with a
//! warning.
//! `fast_paths_tests.rs` and the robustness tests hold the two side by side.
//!
//! Why not the crate's parser: it costs about 14 µs per event (nom combinators with
//! verbose errors over a copy of the block's text); this costs a few (BENCHMARKS.md).

use icalendar::parser::{Component, Parameter, ParseString, Property};
use icalendar::ValueType;

use super::lines::{has_unquoted_colon, starts_with_ci, Block};
use crate::calendar::Warning;

/// Why a block's lines do not make a component.
pub(super) const NOT_CONTENT_LINES: &str =
    "its lines are not valid iCalendar content lines (each must be NAME;PARAMS:VALUE)";

/// Reads a block into its component (with the components nested in it, such as VALARMs).
/// Lines that are not content lines are left out with a warning, as before.
pub(super) fn component<'a>(
    block: &Block<'a>,
    warnings: &mut Vec<Warning>,
) -> Result<Component<'a>, &'static str> {
    let mut stack: Vec<Component<'a>> = Vec::new();
    let mut done: Option<Component<'a>> = None;
    for l in block.lines {
        let text: &str = &l.text;
        // `property` checks the shape itself (what `is_content_line` lets through and more).
        let property = (!starts_with_ci(text, "BEGIN:") && !starts_with_ci(text, "END:"))
            .then(|| property(text));
        if let Some(None) = property {
            if !text.trim().is_empty() {
                warnings.push(Warning {
                    line: l.number,
                    message: "this line is not an iCalendar content line (NAME:VALUE or \
                              NAME;PARAM=VALUE:VALUE); it is ignored, the rest of the event is \
                              read"
                        .into(),
                });
            }
            continue;
        }
        if done.is_some() {
            // Content after the block's own END (split_blocks never makes such a block).
            return Err(NOT_CONTENT_LINES);
        }
        if starts_with_ci(text, "BEGIN:") {
            let name = key(text.get(6..).unwrap_or_default());
            if name.is_empty() {
                return Err(NOT_CONTENT_LINES);
            }
            stack.push(Component {
                name: name.into(),
                properties: Vec::with_capacity(if stack.is_empty() {
                    block.lines.len()
                } else {
                    4
                }),
                components: Vec::new(),
            });
        } else if starts_with_ci(text, "END:") {
            let name = key(text.get(4..).unwrap_or_default());
            let Some(open) = stack
                .iter()
                .rposition(|c| c.name.as_str().eq_ignore_ascii_case(name))
            else {
                if stack.is_empty() {
                    return Err(NOT_CONTENT_LINES);
                }
                // A damaged END (`BEGIN:V` / `LARM` … `END:VALARM`): the event's own END
                // still closes what is open in it.
                warnings.push(Warning {
                    line: l.number,
                    message: "this END line closes no component begun in this event; it is \
                              ignored, the rest of the event is read"
                        .into(),
                });
                continue;
            };
            // An END closes what is open inside its component too (a VALARM that lost its
            // END line ends with its event).
            close_from(&mut stack, open, &mut done);
        } else if let Some(Some(property)) = property {
            stack
                .last_mut()
                .ok_or(NOT_CONTENT_LINES)?
                .properties
                .push(property);
        }
    }
    if block.unclosed {
        // The block lost its END line: it ends where the next one begins, and so does
        // what was open in it.
        close_from(&mut stack, 0, &mut done);
    }
    match done {
        Some(c) if stack.is_empty() => Ok(c),
        _ => Err(NOT_CONTENT_LINES),
    }
}

/// Closes the open components from `open` (an index into `stack`) up, each into its
/// parent; the outermost into `done`.
fn close_from<'a>(stack: &mut Vec<Component<'a>>, open: usize, done: &mut Option<Component<'a>>) {
    while stack.len() > open {
        let Some(closed) = stack.pop() else { break };
        match stack.last_mut() {
            Some(parent) => parent.components.push(closed),
            None => *done = Some(closed),
        }
    }
}

fn is_key_char(c: char) -> bool {
    matches!(c, '.' | ',' | '/' | '_' | '-') || c.is_alphanumeric()
}

/// The longest prefix of name characters.
fn key(s: &str) -> &str {
    let bytes = s.as_bytes();
    let ascii = bytes
        .iter()
        .position(|&b| {
            !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b',' | b'/' | b'_' | b'-'))
        })
        .unwrap_or(bytes.len());
    if bytes.get(ascii).is_none_or(|b| b.is_ascii()) {
        return &s[..ascii];
    }
    // A letter beyond ASCII (names may hold any alphanumeric character).
    let end = s[ascii..]
        .char_indices()
        .find(|&(_, c)| !is_key_char(c))
        .map_or(s.len(), |(i, _)| ascii + i);
    &s[..end]
}

/// One content line (not BEGIN/END) into a property, or `None` where it is not one.
pub(super) fn property(line: &str) -> Option<Property<'_>> {
    let name = key(line);
    if name.is_empty() || name.eq_ignore_ascii_case("BEGIN") || name.eq_ignore_ascii_case("END") {
        return None;
    }
    let mut rest = &line[name.len()..];
    // A quote that never closes (a line broken inside a quoted value, a damaged byte) hides
    // every `:` after it: not a content line, as `is_content_line` and mature readers have
    // it — else a fragment of the parameter (`ALTREP="data:t`) would be read as the value.
    if memchr::memchr(b'"', rest.as_bytes()).is_some() && !has_unquoted_colon(rest.as_bytes()) {
        return None;
    }
    let mut params = Vec::new();
    while let Some(after) = rest.strip_prefix(';') {
        let blank = after
            .bytes()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        let after = &after[blank..];
        let k = key(after);
        let mut r = &after[k.len()..];
        let mut val = None;
        if let Some(v) = r.strip_prefix('=') {
            let (value, left) = param_value(v);
            val = value.filter(|s| !s.is_empty());
            r = left;
        }
        params.push(Parameter {
            key: k.into(),
            val: val.map(ParseString::from),
        });
        rest = r;
    }
    let value = rest.strip_prefix(':')?;
    let name = ParseString::from(name);
    let val = ParseString::from(value);
    let val = if name.as_str().eq_ignore_ascii_case("CATEGORIES")
        || name.as_str().eq_ignore_ascii_case("RESOURCES")
    {
        val
    } else if is_text(name.as_str(), &params) {
        val.unescape_by_value_type(ValueType::Text)
    } else {
        val
    };
    Some(Property { name, val, params })
}

/// A parameter's value after `=` and what follows it: `"…"` (a list of quoted values is
/// kept whole, quotes and all), else everything up to the next `;` or `:`.
fn param_value(v: &str) -> (Option<&str>, &str) {
    if let Some(quoted) = quoted_list(v) {
        return (Some(quoted.0), quoted.1);
    }
    let end = memchr::memchr2(b';', b':', v.as_bytes()).unwrap_or(v.len());
    if end == 0 {
        (None, v)
    } else {
        (Some(&v[..end]), &v[end..])
    }
}

/// `"a"` → `a`; `"a","b"` → `"a","b"`; `None` when `v` does not start with a closed quote.
fn quoted_list(v: &str) -> Option<(&str, &str)> {
    let one = |s: &str| -> Option<usize> {
        let inner = s.strip_prefix('"')?;
        let close = memchr::memchr(b'"', inner.as_bytes())?;
        // An empty quoted value is not one (the parser wants at least one character).
        (close > 0).then_some(close + 2)
    };
    let first = one(v)?;
    let mut end = first;
    while let Some(next) = v[end..].strip_prefix(',').and_then(one) {
        end += 1 + next;
    }
    if end == first {
        Some((&v[1..first - 1], &v[first..]))
    } else {
        Some((&v[..end], &v[end..]))
    }
}

/// Whether the value is TEXT: the `VALUE` parameter says so, or (without a known `VALUE`)
/// the property's name is one of TEXT's. Names with lower-case letters have no type.
fn is_text(name: &str, params: &[Parameter<'_>]) -> bool {
    let declared = params
        .iter()
        .find(|p| p.key.as_str() == "VALUE")
        .and_then(|p| p.val.as_ref())
        .and_then(|v| v.as_str().parse::<ValueType>().ok());
    if let Some(t) = declared {
        return t == ValueType::Text;
    }
    if name.chars().any(char::is_lowercase) {
        return false;
    }
    name.starts_with("X-")
        || matches!(
            name,
            "CALSCALE"
                | "METHOD"
                | "PRODID"
                | "VERSION"
                | "CATEGORIES"
                | "CLASS"
                | "COMMENT"
                | "DESCRIPTION"
                | "LOCATION"
                | "RESOURCES"
                | "STATUS"
                | "SUMMARY"
                | "TRANSP"
                | "TZID"
                | "TZNAME"
                | "CONTACT"
                | "RELATED-TO"
                | "UID"
                | "ACTION"
                | "REQUEST-STATUS"
        )
}

#[cfg(test)]
mod tests {
    use crate::calendar::ics::parse_bytes;
    use crate::calendar::Snapshot;

    fn read(event_lines: &str) -> Snapshot {
        let text = format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240910T090000Z\r\n\
             SUMMARY:x\r\n{event_lines}END:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        parse_bytes(text.as_bytes()).expect("the calendar reads")
    }

    fn warned(s: &Snapshot) -> Vec<usize> {
        s.warnings.iter().map(|w| w.line).collect()
    }

    /// A damaged alarm costs the alarm's lines, not the event: a BEGIN line broken in two
    /// (`BEGIN:V` / `LARM`), an alarm that lost its END, an END of nothing open.
    #[test]
    fn a_damaged_alarm_costs_only_its_lines() {
        let broken = read("BEGIN:V\r\nLARM\r\nACTION:DISPLAY\r\nEND:VALARM\r\n");
        assert_eq!(broken.events.len(), 1, "{:?}", broken.warnings);
        assert_eq!(warned(&broken), [7, 9]);
        let unclosed = read("BEGIN:VALARM\r\nACTION:DISPLAY\r\n");
        assert_eq!(unclosed.events.len(), 1, "{:?}", unclosed.warnings);
        assert_eq!(
            warned(&unclosed),
            Vec::<usize>::new(),
            "{:?}",
            unclosed.warnings
        );
        let stray = read("END:VALARM\r\nDESCRIPTION:y\r\n");
        assert_eq!(stray.events.len(), 1, "{:?}", stray.warnings);
        assert_eq!(stray.events[0].description, "y");
        assert_eq!(warned(&stray), [6]);
    }

    /// A line broken inside a quoted parameter value is not a content line: its value
    /// would be a fragment of the parameter's (`ALTREP="data:t` read as the text "t").
    #[test]
    fn a_quote_that_never_closes_makes_no_property() {
        let s = read("DESCRIPTION;ALTREP=\"data:t\r\nLOCATION;X=\"a\";Y=\"b:c\":Room 1\r\n");
        assert_eq!(s.events.len(), 1, "{:?}", s.warnings);
        assert_eq!(s.events[0].description, "");
        assert_eq!(warned(&s), [6]);
        assert!(super::property("LOCATION;X=\"a\";Y=\"b:c\":Room 1").is_some());
        assert!(super::property("DESCRIPTION;ALTREP=\"data:t").is_none());
        assert!(super::property("DESCRIPTION;ALTREP=:t").is_some());
        // A quote inside an unquoted value opens a quoted part too.
        assert!(super::property("DTEND;TZID=\u{0}W/C E\";VALUE=DATE-TIME:20211101").is_none());
        assert!(super::property("X;A=a\"b\":v").is_some());
    }
}
