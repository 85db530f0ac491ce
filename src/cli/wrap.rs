//! Lines for a terminal: the width to wrap at, and words wrapped under a hanging indent.

/// The terminal's width when standard output is one, else 100 (pipes and files get the
/// same text on every machine); never under 60.
pub fn width() -> usize {
    terminal_size::terminal_size()
        .map_or(100, |(w, _)| usize::from(w.0))
        .max(60)
}

/// `first` then `text`, wrapped at `width`: continuation lines start under the text,
/// indented by `hang`. A word longer than a line is left whole.
pub fn hanging(first: &str, text: &str, hang: usize, width: usize) -> String {
    let mut out = String::from(first);
    let mut col = first.chars().count();
    let mut at_start = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let len = word.chars().count();
        if !at_start && col + 1 + len > width {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', hang));
            col = hang;
            at_start = true;
        }
        if !at_start {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += len;
        at_start = false;
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::hanging;

    #[test]
    fn long_text_wraps_under_its_start() {
        let s = hanging(
            "  -5 buffer: ",
            "right after a call, less than the buffer",
            13,
            30,
        );
        assert_eq!(
            s,
            "  -5 buffer: right after a\n             call, less than\n             the buffer\n"
        );
        for line in s.lines() {
            assert!(line.chars().count() <= 30, "{line:?}");
        }
    }

    #[test]
    fn a_word_longer_than_a_line_stays_whole() {
        let s = hanging("x ", "https://example.com/a/very/long/path ok", 2, 20);
        assert_eq!(s, "x https://example.com/a/very/long/path\n  ok\n");
    }
}
