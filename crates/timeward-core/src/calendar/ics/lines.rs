//! The text layer of the reader: bytes into unfolded content lines (joined as bytes, then
//! decoded, so a fold inside a character is harmless), and lines into the top-level
//! components of the calendar, with the line each starts on. Nothing here slices text
//! at a byte index that might fall inside a character.

use std::borrow::Cow;

use super::{IcsError, Warning};

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
        let (line, next) = match memchr::memchr2(b'\r', b'\n', bytes) {
            Some(i) => {
                let skip = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                (&rest[..i], &rest[i + skip..])
            }
            None => (rest, ""),
        };
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
        let (line, next) = match memchr::memchr2(b'\r', b'\n', rest) {
            Some(i) => {
                let skip = if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                (&rest[..i], &rest[i + skip..])
            }
            None => (rest, &rest[rest.len()..]),
        };
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

/// One top-level component inside VCALENDAR as the framing found it: its name, the source
/// line it starts on, and its lines — unfolded already, or still the file's text, unfolded
/// only when the block is read (so that the lines of a large calendar are never all held
/// at once).
pub(super) struct Span<'a> {
    pub(super) name: Cow<'a, str>,
    first: usize,
    unclosed: bool,
    body: Body<'a>,
}

enum Body<'a> {
    Lines(&'a [Line<'a>]),
    /// UTF-8 text from the start of its first line to the end of its last (line breaks
    /// included).
    Text(&'a str),
}

impl Span<'_> {
    pub(super) fn line(&self) -> usize {
        self.first
    }

    /// `f` of this component's lines as a [`Block`].
    pub(super) fn read<R>(&self, f: impl FnOnce(&Block<'_>) -> R) -> R {
        match self.body {
            Body::Lines(lines) => f(&Block {
                name: &self.name,
                lines,
                unclosed: self.unclosed,
            }),
            Body::Text(text) => {
                let mut lines = unfold_text(text);
                for l in &mut lines {
                    l.number += self.first - 1;
                }
                f(&Block {
                    name: &self.name,
                    lines: &lines,
                    unclosed: self.unclosed,
                })
            }
        }
    }

    /// Feeds what this component is made of to `h` (the reader's cache knows a block
    /// again by it); returns its size.
    pub(super) fn hash_into(&self, h: &mut impl std::hash::Hasher) -> usize {
        match self.body {
            Body::Lines(lines) => {
                for l in lines {
                    h.write(l.text.as_bytes());
                    h.write_u8(b'\n');
                }
                lines.len()
            }
            Body::Text(text) => {
                h.write(text.as_bytes());
                text.len()
            }
        }
    }
}

/// The calendar's own properties (name, value), such as X-WR-TIMEZONE.
pub(super) type CalendarProps = Vec<(String, String)>;

/// A calendar file framed: its top-level components and its own properties.
pub(super) struct Framed<'a> {
    pub(super) spans: Vec<Span<'a>>,
    pub(super) props: CalendarProps,
}

/// Frames UTF-8 text (the usual case) without holding its unfolded lines: each logical
/// line is looked at once, joined from its folded pieces only where the framing needs its
/// whole text, and each component keeps its stretch of the text. Checks that the text is a
/// whole calendar (see [`Framer::finish`]).
pub(super) fn frame_text<'a>(
    text: &'a str,
    warnings: &mut Vec<Warning>,
) -> Result<Framed<'a>, IcsError> {
    let mut framer = Framer::default();
    run(&mut framer, text, 0, warnings);
    let bounds = framer.finish()?;
    Ok(Framed {
        spans: spans_in(text, bounds.spans).collect(),
        props: bounds.props,
    })
}

/// A calendar of at least this many bytes is framed in two halves side by side.
const TWO_HALVES_FROM: usize = 1 << 20;

/// [`frame_text`] of `bytes` where they are UTF-8 throughout (`None` where they are not):
/// a large calendar checked and framed in two halves on two threads (see
/// [`frame_two`]), the same components, warnings and errors as in one piece (tested).
pub(super) fn frame_utf8<'a>(
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
    while let Some(i) = memchr::memchr2(b'\r', b'\n', &bytes[at..]) {
        let i = at + i;
        count += 1;
        at = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i + 2
        } else {
            i + 1
        };
    }
    count
}

/// The components found in `text` as spans of it.
fn spans_in<'a>(text: &'a str, bounds: Vec<Bounds<'a>>) -> impl Iterator<Item = Span<'a>> {
    bounds.into_iter().map(move |b| Span {
        name: b.name,
        first: b.first,
        unclosed: b.unclosed,
        body: Body::Text(&text[b.range]),
    })
}

/// Feeds the logical lines of `text` to `framer`, numbered after the `before` lines
/// that came before it: each looked at once, joined from its folded pieces only where
/// the framing needs its whole text.
fn run<'a>(framer: &mut Framer<'a>, text: &'a str, before: usize, warnings: &mut Vec<Warning>) {
    let bytes = text.as_bytes();
    let mut at = 0;
    let mut number = before;
    // Where the line after `from` starts, and where its first piece ends.
    let next_break = |from: usize| -> (usize, usize) {
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
    };
    while at < bytes.len() {
        number += 1;
        let first_number = number;
        let start = at;
        let (piece_end, mut next) = next_break(start);
        // Line breaks are ASCII: slicing at them never cuts a character.
        let first = &text[start..piece_end];
        let mut last_end = piece_end;
        while matches!(bytes.get(next), Some(b' ' | b'\t')) {
            number += 1;
            let (e, n) = next_break(next);
            last_end = e;
            next = n;
        }
        // Inside a component only BEGIN and END lines matter to the framing (and an END
        // of VCALENDAR, even after white space, to the checks): a line that starts with
        // anything else visible and ASCII is only passed over.
        let passed = framer.current.is_some()
            && matches!(first.as_bytes().first(),
                Some(&b) if b > b' ' && b.is_ascii() && !matches!(b, b'B' | b'b' | b'E' | b'e'));
        if passed {
            framer.pass(first_number, next);
            at = next;
            continue;
        }
        let folded = last_end != piece_end;
        let line: Cow<'a, str> = if folded {
            let mut whole = String::with_capacity(last_end - start);
            whole.push_str(first);
            let mut piece = next_break(start).1;
            while piece < last_end {
                let (e, n) = next_break(piece);
                whole.push_str(&text[piece + 1..e]);
                piece = n;
            }
            Cow::Owned(whole)
        } else {
            Cow::Borrowed(first)
        };
        framer.line(first_number, line, start..next, warnings);
        at = next;
    }
}

/// [`frame_text`] for lines already unfolded (a file that is not UTF-8 throughout).
pub(super) fn frame_lines<'a>(
    lines: &'a [Line<'a>],
    warnings: &mut Vec<Warning>,
) -> Result<Framed<'a>, IcsError> {
    let bounds = frame(lines, warnings).finish()?;
    Ok(Framed {
        spans: bounds
            .spans
            .into_iter()
            .map(|b| Span {
                name: b.name,
                first: b.first,
                unclosed: b.unclosed,
                body: Body::Lines(&lines[b.range]),
            })
            .collect(),
        props: bounds.props,
    })
}

fn frame<'a>(lines: &'a [Line<'a>], warnings: &mut Vec<Warning>) -> Framer<'a> {
    let mut framer = Framer::default();
    for (i, l) in lines.iter().enumerate() {
        framer.line(l.number, Cow::Borrowed(&*l.text), i..i + 1, warnings);
    }
    framer
}

/// Splits the lines into the top-level components inside VCALENDAR and the calendar's own
/// properties (without [`frame_text`]'s checks that the lines make a whole calendar).
pub(super) fn split_blocks<'a>(
    lines: &'a [Line<'a>],
    warnings: &mut Vec<Warning>,
) -> Result<(Vec<Block<'a>>, CalendarProps), IcsError> {
    let bounds = frame(lines, warnings).split()?;
    let blocks = bounds
        .spans
        .into_iter()
        .map(|b| {
            let lines = &lines[b.range];
            Block {
                // The name as the framing read it from the block's BEGIN line.
                name: lines
                    .first()
                    .map(|l| l.text.trim_end().get(6..).unwrap_or_default().trim())
                    .unwrap_or_default(),
                lines,
                unclosed: b.unclosed,
            }
        })
        .collect();
    Ok((blocks, bounds.props))
}

/// For the tests: frames UTF-8 `text` from the text ([`frame_text`]) and from its lines
/// unfolded first ([`frame_lines`]), and says how the two differ (components, their lines
/// and numbers, the calendar's properties, warnings, errors).
pub(super) fn framings_differ(text: &str) -> Option<String> {
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

/// Where a component lies: lines (an index range) or text (a byte range).
struct Bounds<'a> {
    name: Cow<'a, str>,
    first: usize,
    range: std::ops::Range<usize>,
    unclosed: bool,
}

struct Split<'a> {
    spans: Vec<Bounds<'a>>,
    props: CalendarProps,
}

/// The framing, one logical line at a time: splits them into the top-level components
/// inside VCALENDAR and the calendar's own properties, and notes what shows whether they
/// make a whole calendar.
#[derive(Default)]
struct Framer<'a> {
    spans: Vec<Bounds<'a>>,
    props: CalendarProps,
    /// The open component: its first line's number, where it starts, its name.
    current: Option<(usize, usize, Cow<'a, str>)>,
    /// Where the last line ended.
    last_end: usize,
    last_number: usize,
    /// The first line that is not blank: its number, and whether it is BEGIN:VCALENDAR
    /// (else the start of its text, for the message).
    first: Option<(usize, Result<(), String>)>,
    ends_calendar: bool,
}

impl<'a> Framer<'a> {
    fn line(
        &mut self,
        number: usize,
        text: Cow<'a, str>,
        at: std::ops::Range<usize>,
        warnings: &mut Vec<Warning>,
    ) {
        let t = text.trim_end();
        if self.first.is_none() && !t.trim().is_empty() {
            let check = if t.trim().eq_ignore_ascii_case("BEGIN:VCALENDAR") {
                Ok(())
            } else {
                Err(super::shorten(&text))
            };
            self.first = Some((number, check));
        }
        if !self.ends_calendar && t.trim().eq_ignore_ascii_case("END:VCALENDAR") {
            self.ends_calendar = true;
        }
        let begin = starts_with_ci(t, "BEGIN:") && t.len() > 6;
        let end = starts_with_ci(t, "END:") && t.len() > 4;
        let named = |prefix: usize, name: &str| {
            t.get(prefix..)
                .is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
        };
        // A component of the same kind cannot nest (a VEVENT in a VEVENT), the calendar's
        // own components sit only in VCALENDAR (RFC 5545 §3.6), and nothing outlives
        // END:VCALENDAR: any of these means this block lost its END line (a damaged or
        // cut line). It ends here, so that one broken event does not swallow the rest.
        const CALENDAR_LEVEL: [&str; 5] = ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE"];
        if let Some((_, _, name)) = &self.current {
            let top_level = begin && CALENDAR_LEVEL.iter().any(|c| named(6, c));
            if (begin && named(6, name)) || top_level || (end && named(4, "VCALENDAR")) {
                self.end_open(number, warnings);
            }
        }
        match &self.current {
            Some((_, _, name)) => {
                // Only its own END closes the block, whatever is still open inside it (a
                // VALARM that lost its END line); the ENDs of what it holds, and stray
                // ones, are the event reader's to pair.
                if end && named(4, name) {
                    if let Some((first, from, name)) = self.current.take() {
                        self.spans.push(Bounds {
                            name,
                            first,
                            range: from..at.end,
                            unclosed: false,
                        });
                    }
                }
            }
            None if begin => {
                let name = t.get(6..).unwrap_or_default().trim();
                if !name.eq_ignore_ascii_case("VCALENDAR") {
                    let name = match &text {
                        Cow::Borrowed(whole) => {
                            Cow::Borrowed(whole.trim_end().get(6..).unwrap_or_default().trim())
                        }
                        Cow::Owned(_) => Cow::Owned(name.to_string()),
                    };
                    self.current = Some((number, at.start, name));
                }
            }
            None if end => {}
            None => {
                if let Some((k, v)) = t.split_once(':') {
                    self.props.push((k.to_string(), v.to_string()));
                }
            }
        }
        self.last_end = at.end;
        self.last_number = number;
    }

    /// Ends the open component (if one is) before line `number`, which shows it lost its
    /// END line.
    fn end_open(&mut self, number: usize, warnings: &mut Vec<Warning>) {
        if let Some((first, from, name)) = self.current.take() {
            warnings.push(Warning {
                line: first,
                message: format!(
                    "BEGIN:{name} at this line has no END:{name}; read up to line {number}",
                    name = printable(&name)
                ),
            });
            self.spans.push(Bounds {
                name,
                first,
                range: from..self.last_end,
                unclosed: true,
            });
        }
    }

    /// A line inside the open component that is neither BEGIN nor END: what [`Framer::line`]
    /// would do with it, without looking at it.
    fn pass(&mut self, number: usize, end: usize) {
        self.last_end = end;
        self.last_number = number;
    }

    /// The components, or why the last of them never ends.
    fn split(self) -> Result<Split<'a>, IcsError> {
        if let Some((first, _, name)) = self.current {
            return Err(IcsError::Malformed {
                line: first,
                message: format!(
                    "BEGIN:{name} at this line has no END:{name}: the file was cut off or is broken",
                    name = printable(&name)
                ),
            });
        }
        Ok(Split {
            spans: self.spans,
            props: self.props,
        })
    }

    /// [`Framer::split`] once the lines are known to make a calendar: not empty, starting
    /// with BEGIN:VCALENDAR, holding END:VCALENDAR (else it was cut off).
    fn finish(self) -> Result<Split<'a>, IcsError> {
        match &self.first {
            None => {
                return Err(IcsError::Malformed {
                    line: 1,
                    message:
                        "the file is empty; expected an iCalendar file starting with BEGIN:VCALENDAR"
                            .into(),
                })
            }
            Some((line, Err(start))) => {
                return Err(IcsError::Malformed {
                    line: *line,
                    message: format!(
                        "this is not an iCalendar file: it should start with BEGIN:VCALENDAR, found {start:?}"
                    ),
                })
            }
            Some((_, Ok(()))) => {}
        }
        if !self.ends_calendar {
            return Err(IcsError::Malformed {
                line: self.last_number.max(1),
                message: "the file ends before END:VCALENDAR: it was cut off (a partial download?)"
                    .into(),
            });
        }
        self.split()
    }
}

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
