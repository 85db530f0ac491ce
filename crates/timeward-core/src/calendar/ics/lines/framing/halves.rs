//! A large calendar framed in two halves side by side, and the test that holds every way
//! of framing a calendar to the same result.

use super::{frame_lines, frame_text, run, spans_in, CalendarProps, Framed, Framer};
use crate::calendar::ics::lines::{line_end, unfold_text};
use crate::calendar::ics::{IcsError, Warning};

/// A calendar of at least this many bytes is framed in two halves side by side.
const TWO_HALVES_FROM: usize = 1 << 20;

/// [`frame_text`] of `bytes` where they are UTF-8 throughout (`None` where they are not):
/// a large calendar checked and framed in two halves on two threads (see
/// [`frame_two`]), the same components, warnings and errors as in one piece (tested).
pub(in crate::calendar::ics) fn frame_utf8<'a>(
    bytes: &'a [u8],
    threads: usize,
    warnings: &mut Vec<Warning>,
) -> Option<Result<Framed<'a>, IcsError>> {
    let at = (threads > 1 && bytes.len() >= TWO_HALVES_FROM)
        .then(|| split_point(bytes, bytes.len() / 2))
        .flatten();
    match at {
        Some(at) => frame_two(bytes, at, warnings),
        None => Some(frame_text(std::str::from_utf8(bytes).ok()?, warnings)),
    }
}

/// Where the first line after `from` that is exactly `BEGIN:VEVENT` (and not folded)
/// starts: the framing is the same from there whatever came before, except that a
/// component still open ends there (a top-level component cannot nest).
fn split_point(bytes: &[u8], from: usize) -> Option<usize> {
    const LINE: &[u8] = b"\nBEGIN:VEVENT";
    let mut at = from;
    while let Some(i) = memchr::memmem::find(bytes.get(at..)?, LINE) {
        let start = at + i + 1;
        let after = &bytes[start + LINE.len() - 1..];
        let next = match after {
            [b'\r', b'\n', ..] => Some(2),
            [b'\n' | b'\r', ..] => Some(1),
            _ => None,
        };
        if let Some(n) = next {
            if !matches!(after.get(n), Some(b' ' | b'\t')) {
                return Some(start);
            }
        }
        at = start;
    }
    None
}

/// [`frame_text`] of `bytes` split at `at` ([`split_point`]): each half checked as
/// UTF-8 and framed on its own thread, the second numbered after the lines of the
/// first; a component the first leaves open ends at the split, as the line there ends
/// it in one piece.
fn frame_two<'a>(
    bytes: &'a [u8],
    at: usize,
    warnings: &mut Vec<Warning>,
) -> Option<Result<Framed<'a>, IcsError>> {
    let (a, b) = bytes.split_at(at);
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(move || {
            let text = std::str::from_utf8(b).ok()?;
            let before = line_breaks(a);
            let mut framer = Framer::default();
            let mut warnings = Vec::new();
            run(&mut framer, text, before, &mut warnings);
            Some((text, framer, warnings, before))
        });
        let first = std::str::from_utf8(a).ok().map(|text| {
            let mut framer = Framer::default();
            let mut warnings = Vec::new();
            run(&mut framer, text, 0, &mut warnings);
            (text, framer, warnings)
        });
        // Framing does not panic; if it did, the same panic goes on here.
        let second = second
            .join()
            .unwrap_or_else(|payload| std::panic::resume_unwind(payload));
        (first, second)
    });
    let ((text_a, mut one, warnings_a), (text_b, two, warnings_b, before)) = (first?, second?);
    warnings.extend(warnings_a);
    // The split's line is BEGIN:VEVENT: it ends what the first half left open.
    one.end_open(before + 1, warnings);
    warnings.extend(warnings_b);
    let spans_a = std::mem::take(&mut one.spans);
    let props_a = std::mem::take(&mut one.props);
    let Framer {
        spans: spans_b,
        props: props_b,
        current,
        last_end,
        last_number,
        first,
        ends_calendar,
    } = two;
    let whole = Framer {
        spans: Vec::new(),
        props: props_a.into_iter().chain(props_b).collect(),
        current,
        last_end,
        last_number,
        first: one.first.or(first),
        ends_calendar: one.ends_calendar || ends_calendar,
    };
    Some(whole.finish().map(|bounds| {
        Framed {
            spans: spans_in(text_a, spans_a)
                .chain(spans_in(text_b, spans_b))
                .collect(),
            props: bounds.props,
        }
    }))
}

/// The line breaks in `bytes` (CRLF, LF or a lone CR): the lines before a split.
fn line_breaks(bytes: &[u8]) -> usize {
    let mut count = 0;
    let mut at = 0;
    while at < bytes.len() {
        let (end, next) = line_end(bytes, at);
        count += usize::from(end < bytes.len());
        at = next;
    }
    count
}

/// For the tests: frames UTF-8 `text` from the text ([`frame_text`]) and from its lines
/// unfolded first ([`frame_lines`]), and says how the two differ (components, their lines
/// and numbers, the calendar's properties, warnings, errors).
pub(in crate::calendar::ics) fn framings_differ(text: &str) -> Option<String> {
    type Seen = (
        Vec<(String, usize, bool, Vec<(usize, String)>)>,
        CalendarProps,
    );
    let seen = |framed: Result<Framed<'_>, IcsError>| -> Result<Seen, IcsError> {
        let framed = framed?;
        let spans = framed
            .spans
            .iter()
            .map(|s| {
                let lines = s.read(|b| {
                    assert_eq!(b.name, &*s.name);
                    assert_eq!(b.line(), s.line());
                    b.lines
                        .iter()
                        .map(|l| (l.number, l.text.to_string()))
                        .collect()
                });
                (s.name.to_string(), s.first, s.unclosed, lines)
            })
            .collect();
        Ok((spans, framed.props))
    };
    let mut from_text = Vec::new();
    let a = seen(frame_text(text, &mut from_text));
    // In two halves, at every place it could be split.
    let mut from = 0;
    while let Some(at) = split_point(text.as_bytes(), from) {
        let mut in_two = Vec::new();
        let two = frame_two(text.as_bytes(), at, &mut in_two).map(seen);
        if two.as_ref() != Some(&a) || in_two != from_text {
            return Some(format!(
                "split at {at}: {two:?} ({in_two:?})\nin one piece: {a:?} ({from_text:?})"
            ));
        }
        from = at;
    }
    let unfolded = unfold_text(text);
    let mut from_lines = Vec::new();
    let b = seen(frame_lines(&unfolded, &mut from_lines));
    if a != b {
        return Some(format!("from the text: {a:?}\nfrom the lines: {b:?}"));
    }
    (from_text != from_lines)
        .then(|| format!("warnings from the text: {from_text:?}\nfrom the lines: {from_lines:?}"))
}

#[cfg(test)]
mod tests {
    /// The lines the framing passes over inside a component, and the ones it must look
    /// at (BEGIN and END, also after white space or folded), framed from the text — in
    /// one piece, and in two halves split at each place it can be — as from the lines.
    #[test]
    fn the_lines_passed_over_frame_as_the_lines_do() {
        let event = "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240910T090000Z\r\nSUMMARY:x\r\n";
        for tail in [
            "END:VEVENT\r\nEND:VCALENDAR\r\n",
            "end:vevent\r\nEND:VCALENDAR\r\n",
            "E\r\n ND:VEVENT\r\nEND:VCALENDAR\r\n",
            "\u{c}END:VCALENDAR\r\n",
            "\u{b}END:VCALENDAR\r\n",
            "\u{a0}END:VCALENDAR\r\n",
            " END:VCALENDAR\r\n",
            "BEGIN:VTODO\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
            "B\r\n EGIN:VEVENT\r\nUID:b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "X-A:1\r\n\r\n \r\nEND:VEVENT\r\nEND:VCALENDAR",
            // The event lost its END: the next one ends it (also where the calendar is
            // framed in two halves split there).
            "BEGIN:VEVENT\r\nUID:b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "BEGIN:VEVENT\nBEGIN:VEVENT\r\n\rBEGIN:VEVENT\rEND:VEVENT\nEND:VCALENDAR\n",
        ] {
            let text = format!("BEGIN:VCALENDAR\r\n{event}{tail}");
            assert_eq!(super::framings_differ(&text), None, "{text:?}");
        }
    }
}
