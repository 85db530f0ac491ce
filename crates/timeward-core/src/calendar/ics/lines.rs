//! The text layer of the reader: bytes into unfolded content lines (joined as bytes, then
//! decoded, so a fold inside a character is harmless), and lines into the top-level
//! components of the calendar, with the line each starts on. Nothing here slices text
//! at a byte index that might fall inside a character.

use std::borrow::Cow;

use super::Warning;

/// One unfolded content line and the (1-based) source line it starts on: borrowed from the
/// file where it was one UTF-8 line, owned where it was folded or needed repair.
pub(super) struct Line<'t> {
    pub(super) number: usize,
    pub(super) text: Cow<'t, str>,
}

/// A top-level component inside VCALENDAR: its name and its lines, BEGIN and END included.
pub(super) struct Block<'a> {
    pub(super) name: &'a str,
    pub(super) lines: &'a [Line<'a>],
    /// Its END line was missing: the block was ended at the next component.
    pub(super) unclosed: bool,
}

impl Block<'_> {
    pub(super) fn line(&self) -> usize {
        self.lines.first().map_or(0, |l| l.number)
    }

    /// The source line of the first property called `name` in this block, for messages.
    pub(super) fn line_of(&self, name: &str) -> usize {
        self.lines
            .iter()
            .find(|l| {
                let t = l.text.as_bytes();
                t.len() > name.len()
                    && t[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                    && matches!(t[name.len()], b':' | b';')
            })
            .map_or_else(|| self.line(), |l| l.number)
    }
}

/// Splits the bytes into content lines, joining folded lines (CRLF, LF or a lone CR, then
/// a space or tab) before decoding, so that a character split by a fold is whole again.
pub(super) fn unfold<'t>(bytes: &'t [u8], warnings: &mut Vec<Warning>) -> Vec<Line<'t>> {
    match std::str::from_utf8(bytes) {
        Ok(text) => unfold_text(text),
        Err(_) => unfold_bytes(bytes, warnings),
    }
}

/// [`unfold`] for a file that is UTF-8 throughout (the usual case: checked once, not line
/// by line). A fold inside a character would have made the file invalid, so the pieces
/// of a folded line are whole characters.
fn unfold_text(text: &str) -> Vec<Line<'_>> {
    let mut lines: Vec<Line<'_>> = Vec::with_capacity(text.len() / 40);
    let mut number = 0;
    let mut rest = text;
    while !rest.is_empty() {
        number += 1;
        let bytes = rest.as_bytes();
        // Line breaks are ASCII: slicing at them never cuts a character.
        let (end, next) = line_end(bytes, 0);
        let (line, next) = (&rest[..end], &rest[next..]);
        rest = next;
        match (line.as_bytes().first(), lines.last_mut()) {
            (Some(b' ' | b'\t'), Some(last)) => last.text.to_mut().push_str(&line[1..]),
            _ => lines.push(Line {
                number,
                text: Cow::Borrowed(line),
            }),
        }
    }
    lines
}

/// [`unfold`] for a file that is not UTF-8 throughout: lines are joined as bytes, then
/// decoded one by one, the unreadable ones repaired with a warning.
fn unfold_bytes<'t>(bytes: &'t [u8], warnings: &mut Vec<Warning>) -> Vec<Line<'t>> {
    let mut raw: Vec<(usize, Cow<'t, [u8]>)> = Vec::new();
    let mut number = 0;
    let mut rest = bytes;
    while !rest.is_empty() {
        number += 1;
        let (end, next) = line_end(rest, 0);
        let (line, next) = (&rest[..end], &rest[next..]);
        rest = next;
        match (line.first(), raw.last_mut()) {
            (Some(b' ' | b'\t'), Some((_, last))) => last.to_mut().extend_from_slice(&line[1..]),
            _ => raw.push((number, Cow::Borrowed(line))),
        }
    }
    raw.into_iter()
        .map(|(number, bytes)| {
            let text = match bytes {
                Cow::Borrowed(b) => match std::str::from_utf8(b) {
                    Ok(text) => Cow::Borrowed(text),
                    Err(_) => Cow::Owned(repaired(number, b, warnings)),
                },
                Cow::Owned(b) => Cow::Owned(match String::from_utf8(b) {
                    Ok(text) => text,
                    Err(e) => repaired(number, e.as_bytes(), warnings),
                }),
            };
            Line { number, text }
        })
        .collect()
}

/// Where the line that starts at `from` ends, and where the next one starts: after its
/// CRLF, LF or lone CR (or both at the end of `bytes`).
pub(super) fn line_end(bytes: &[u8], from: usize) -> (usize, usize) {
    match memchr::memchr2(b'\r', b'\n', &bytes[from..]) {
        Some(i) => {
            let i = from + i;
            let skip = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            (i, i + skip)
        }
        None => (bytes.len(), bytes.len()),
    }
}

/// A line that is not UTF-8, its unreadable bytes replaced, with a warning.
fn repaired(number: usize, bytes: &[u8], warnings: &mut Vec<Warning>) -> String {
    warnings.push(Warning {
        line: number,
        message: "this line is not UTF-8 text: its unreadable characters were replaced (save \
                  the calendar as UTF-8)"
            .into(),
    });
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether `line` starts with `prefix`, ignoring ASCII case (and never slicing text).
pub(super) fn starts_with_ci(line: &str, prefix: &str) -> bool {
    line.as_bytes()
        .get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
}

mod framing;
pub(super) use framing::*;

/// Whether a line has the shape of a content line: a name of letters, digits and dashes,
/// then parameters (quoted values may hold `:` and `;`), then `:` and the value.
pub(super) fn is_content_line(line: &str) -> bool {
    let bytes = line.as_bytes();
    let name = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    name > 0 && has_unquoted_colon(&bytes[name..])
}

/// Whether a `:` stands outside the `"…"` of a line's parameters.
pub(super) fn has_unquoted_colon(bytes: &[u8]) -> bool {
    let mut quoted = false;
    for &b in bytes {
        match b {
            b'"' => quoted = !quoted,
            b':' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// A component name as it may be shown: no control characters (a damaged byte).
fn printable(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).take(40).collect()
}

#[cfg(test)]
mod tests {
    use crate::calendar::ics::parse_bytes;

    /// Found by the long property run: an event whose BEGIN line is damaged (so it is no
    /// longer a VEVENT) and whose END line is lost must not swallow the events after it.
    #[test]
    fn a_damaged_event_costs_only_itself() {
        let event = |uid: &str| {
            format!(
                "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:20240910T090000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
            )
        };
        for damage in [
            // BEGIN renamed, END lost to a flipped line break.
            (
                "BEGIN:VEVENT\r\nUID:b",
                "BEGIN:\u{0}EVENT\r\nUID:b",
                "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:c",
                "x\r\u{e}END:VEVENT\r\nBEGIN:VEVENT\r\nUID:c",
            ),
            // END lost, BEGIN intact.
            (
                "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:c",
                "x\r\nEN\u{0}:VEVENT\r\nBEGIN:VEVENT\r\nUID:c",
                "",
                "",
            ),
        ] {
            let mut text = format!(
                "BEGIN:VCALENDAR\r\n{}{}{}{}END:VCALENDAR\r\n",
                event("a"),
                event("b"),
                event("c"),
                event("d")
            );
            text = text.replacen(damage.0, damage.1, 1);
            if !damage.2.is_empty() {
                text = text.replacen(damage.2, damage.3, 1);
            }
            let s = parse_bytes(text.as_bytes()).expect("the calendar reads");
            let uids: Vec<&str> = s.events.iter().map(|e| e.uid.as_str()).collect();
            assert!(
                uids.contains(&"a") && uids.contains(&"c") && uids.contains(&"d"),
                "{uids:?} from {text:?}"
            );
            assert!(s.warnings.iter().all(|w| !w.message.contains('\u{0}')));
        }
    }
}
