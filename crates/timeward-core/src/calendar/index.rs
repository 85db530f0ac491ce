//! An interval index: "which of these intervals overlap `[s, e)`?" in O(log n + k).
//!
//! Intervals are sorted by start, with a running maximum of their ends beside them: a
//! binary search finds the last interval that starts before `e`, and the walk back from it
//! stops as soon as no earlier interval can reach `s`. Pure data structure, no I/O.

use chrono::{DateTime, Utc};

/// A half-open interval `[start, end)` with a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval<T> {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub value: T,
}

#[derive(Debug, Clone)]
pub struct IntervalIndex<T> {
    items: Vec<Interval<T>>,
    max_end: Vec<DateTime<Utc>>,
}

impl<T> Default for IntervalIndex<T> {
    fn default() -> Self {
        IntervalIndex {
            items: Vec::new(),
            max_end: Vec::new(),
        }
    }
}

impl<T: Ord> IntervalIndex<T> {
    pub fn new(mut items: Vec<Interval<T>>) -> Self {
        crate::order::sort_by_start(
            &mut items,
            |it| it.start,
            |a, b| (a.end, &a.value).cmp(&(b.end, &b.value)),
        );
        let mut max_end = Vec::with_capacity(items.len());
        let mut running: Option<DateTime<Utc>> = None;
        for it in &items {
            let m = running.map_or(it.end, |r| r.max(it.end));
            running = Some(m);
            max_end.push(m);
        }
        IntervalIndex { items, max_end }
    }
}

impl<T> IntervalIndex<T> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The intervals in index order: by start, then end, then value.
    pub fn as_slice(&self) -> &[Interval<T>] {
        &self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Interval<T>> {
        self.items.iter()
    }

    /// Every interval that overlaps `[s, e)` (start < e and end > s), in start order.
    pub fn overlapping(&self, s: DateTime<Utc>, e: DateTime<Utc>) -> Vec<&Interval<T>> {
        let mut found = Vec::new();
        let mut i = self.items.partition_point(|it| it.start < e);
        while i > 0 {
            i -= 1;
            if self.max_end[i] <= s {
                break;
            }
            let it = &self.items[i];
            if it.end > s {
                found.push(it);
            }
        }
        found.reverse();
        found
    }

    /// The earliest-starting interval that overlaps `[s, e)`, without collecting the rest.
    pub fn first_overlapping(&self, s: DateTime<Utc>, e: DateTime<Utc>) -> Option<&Interval<T>> {
        self.first_overlapping_where(s, e, |_| true)
    }

    /// The earliest-starting interval that overlaps `[s, e)` and satisfies `keep`.
    pub fn first_overlapping_where(
        &self,
        s: DateTime<Utc>,
        e: DateTime<Utc>,
        keep: impl Fn(&Interval<T>) -> bool,
    ) -> Option<&Interval<T>> {
        let mut found = None;
        let mut i = self.items.partition_point(|it| it.start < e);
        while i > 0 {
            i -= 1;
            if self.max_end[i] <= s {
                break;
            }
            let it = &self.items[i];
            if it.end > s && keep(it) {
                found = Some(it);
            }
        }
        found
    }

    /// Whether anything overlaps `[s, e)`, in O(log n).
    pub fn any_overlapping(&self, s: DateTime<Utc>, e: DateTime<Utc>) -> bool {
        let i = self.items.partition_point(|it| it.start < e);
        i > 0 && self.max_end[i - 1] > s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, h, 0, 0)
            .single()
            .expect("valid")
    }

    fn index(spans: &[(u32, u32)]) -> IntervalIndex<usize> {
        IntervalIndex::new(
            spans
                .iter()
                .enumerate()
                .map(|(i, &(s, e))| Interval {
                    start: t(s),
                    end: t(e),
                    value: i,
                })
                .collect(),
        )
    }

    #[test]
    fn overlap_queries() {
        // A long event early on must not hide, nor be hidden by, short ones later.
        let idx = index(&[(1, 20), (9, 10), (11, 12), (14, 15)]);
        let cases: &[((u32, u32), &[usize])] = &[
            ((10, 11), &[0]), // touching ends do not overlap
            ((9, 10), &[0, 1]),
            ((11, 15), &[0, 2, 3]),
            ((20, 22), &[]),
            ((0, 1), &[]),
        ];
        for &((s, e), want) in cases {
            let got: Vec<usize> = idx
                .overlapping(t(s), t(e))
                .iter()
                .map(|i| i.value)
                .collect();
            assert_eq!(got, want, "[{s}, {e})");
            assert_eq!(
                idx.any_overlapping(t(s), t(e)),
                !want.is_empty(),
                "any [{s}, {e})"
            );
        }
    }

    #[test]
    fn matches_a_linear_scan() {
        let spans: Vec<(u32, u32)> = (0..20u32)
            .map(|i| ((i * 7) % 20, (i * 7) % 20 + 1 + i % 4))
            .collect();
        let idx = index(&spans);
        for s in 0..23 {
            for e in s + 1..24 {
                let mut want: Vec<usize> = spans
                    .iter()
                    .enumerate()
                    .filter(|(_, &(a, b))| a < e && b > s)
                    .map(|(i, _)| i)
                    .collect();
                want.sort_by_key(|&i| (spans[i].0, spans[i].1, i));
                let got: Vec<usize> = idx
                    .overlapping(t(s), t(e))
                    .iter()
                    .map(|i| i.value)
                    .collect();
                assert_eq!(got, want, "[{s}, {e})");
                let first = idx.first_overlapping(t(s), t(e)).map(|i| i.value);
                assert_eq!(first, want.first().copied(), "first in [{s}, {e})");
            }
        }
    }
}
