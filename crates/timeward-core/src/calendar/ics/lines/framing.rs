//! The framing: a file's logical lines into the calendar's top-level components and its
//! own properties, with the checks that they make a whole calendar.

use std::borrow::Cow;

use super::{line_end, printable, starts_with_ci, unfold_text, Block, Line};

mod halves;
use crate::calendar::ics::{IcsError, Warning};
pub(in crate::calendar::ics) use halves::{frame_utf8, framings_differ};

/// One top-level component inside VCALENDAR as the framing found it: its name, the source
/// line it starts on, and its lines — unfolded already, or still the file's text, unfolded
/// only when the block is read (so that the lines of a large calendar are never all held
/// at once).
pub(in crate::calendar::ics) struct Span<'a> {
    pub(in crate::calendar::ics) name: Cow<'a, str>,
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
    pub(in crate::calendar::ics) fn line(&self) -> usize {
        self.first
    }

    /// `f` of this component's lines as a [`Block`].
    pub(in crate::calendar::ics) fn read<R>(&self, f: impl FnOnce(&Block<'_>) -> R) -> R {
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
    pub(in crate::calendar::ics) fn hash_into(&self, h: &mut impl std::hash::Hasher) -> usize {
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
pub(in crate::calendar::ics) type CalendarProps = Vec<(String, String)>;

/// A calendar file framed: its top-level components and its own properties.
pub(in crate::calendar::ics) struct Framed<'a> {
    pub(in crate::calendar::ics) spans: Vec<Span<'a>>,
    pub(in crate::calendar::ics) props: CalendarProps,
}

/// Frames UTF-8 text (the usual case) without holding its unfolded lines: each logical
/// line is looked at once, joined from its folded pieces only where the framing needs its
/// whole text, and each component keeps its stretch of the text. Checks that the text is a
/// whole calendar (see [`Framer::finish`]).
pub(in crate::calendar::ics) fn frame_text<'a>(
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
    let next_break = |from: usize| line_end(bytes, from);
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
pub(in crate::calendar::ics) fn frame_lines<'a>(
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
pub(in crate::calendar::ics) fn split_blocks<'a>(
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
                Err(crate::calendar::ics::shorten(&text))
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
