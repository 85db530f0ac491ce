//! Sorting by time. Comparing instants is slow on input in no particular order (a
//! calendar's events are not in time order, and each comparison is a guess the processor
//! gets wrong half the time): where every start is a whole second within 2^31 s of the
//! first, the items are sorted by one number each, the start packed with the item's place,
//! and only items with the same start are compared further. Text is sorted the same way by
//! its first four bytes.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

/// Sorts `items` as a stable sort by (`start`, `then`) does.
pub(crate) fn sort_by_start<T>(
    items: &mut Vec<T>,
    start: impl Fn(&T) -> DateTime<Utc>,
    then: impl Fn(&T, &T) -> Ordering,
) {
    let Some(base) = items.first().map(|t| start(t).timestamp()) else {
        return;
    };
    sort_packed(
        items,
        |t| {
            let s = start(t);
            let offset = s.timestamp().checked_sub(base)?.checked_add(1 << 31)?;
            u32::try_from(offset)
                .ok()
                .filter(|_| s.timestamp_subsec_nanos() == 0)
        },
        |a, b| start(a).cmp(&start(b)).then_with(|| then(a, b)),
    );
}

/// Sorts `items` as a stable sort by `order` does, given a `key` that never decreases
/// along `order` (where any item has none, by `order` alone).
pub(crate) fn sort_packed<T>(
    items: &mut Vec<T>,
    key: impl Fn(&T) -> Option<u32>,
    order: impl Fn(&T, &T) -> Ordering,
) {
    let n = items.len();
    let keys: Option<Vec<u64>> = items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let place = u32::try_from(i).ok()?;
            Some((u64::from(key(t)?) << 32) | u64::from(place))
        })
        .collect();
    let Some(mut keys) = keys else {
        items.sort_by(order);
        return;
    };
    keys.sort_unstable();
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(
        keys.iter()
            .filter_map(|k| slots.get_mut((k & 0xffff_ffff) as usize)?.take()),
    );
    // Items with the same key, still in their first order, by `order`.
    let mut from = 0;
    while from < n {
        let at = keys[from] >> 32;
        let to = from + keys[from..].partition_point(|k| k >> 32 == at);
        if to - from > 1 {
            items[from..to].sort_by(&order);
        }
        from = to;
    }
}

/// The first four bytes of `text`, as a number that orders as the text does (shorter
/// text padded with zeros, which no longer text with the same beginning is below).
pub(crate) fn first_four(text: &str) -> u32 {
    let mut four = [0u8; 4];
    for (to, from) in four.iter_mut().zip(text.as_bytes()) {
        *to = *from;
    }
    u32::from_be_bytes(four)
}

/// Hashes the numbers a process hands out one by one (decisions' numbers) for a map
/// keyed by them: one multiplication (Fibonacci hashing) instead of SipHash, which
/// guards against keys chosen to collide, and these are not chosen by anyone.
#[derive(Clone, Copy, Debug, Default)]
pub struct Numbers;

impl std::hash::BuildHasher for Numbers {
    type Hasher = NumberHasher;

    fn build_hasher(&self) -> NumberHasher {
        NumberHasher(0)
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct NumberHasher(u64);

impl std::hash::Hasher for NumberHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    /// Items whose starts repeat and are far apart, some with fractions of a second.
    fn items(seed: u64, n: usize, spread: i64, fractions: bool) -> Vec<(DateTime<Utc>, u8, usize)> {
        let base = DateTime::<Utc>::from_timestamp(1_790_000_000, 0).expect("a valid instant");
        let mut x = seed | 1;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let mut at = base + TimeDelta::seconds((x % 40) as i64 * spread);
                if fractions && x.is_multiple_of(7) {
                    at += TimeDelta::milliseconds(500);
                }
                (at, (x >> 20) as u8 % 3, i)
            })
            .collect()
    }

    #[test]
    fn sorts_as_a_stable_sort_by_start_then_the_rest() {
        // Whole seconds near each other (packed), starts 2^31 s apart and more, and
        // fractions of a second (both compared as instants).
        for (spread, fractions) in [(900, false), (1 << 27, false), (60, true)] {
            for seed in 1..40 {
                for n in [0, 1, 2, 3, 17, 300] {
                    let mut got = items(seed, n, spread, fractions);
                    let mut want = got.clone();
                    // The place last: only `(start, tag)` orders; ties keep their order.
                    want.sort_by_key(|a| (a.0, a.1));
                    sort_by_start(&mut got, |t| t.0, |a, b| a.1.cmp(&b.1));
                    assert_eq!(got, want, "spread {spread}, seed {seed}, {n} items");
                }
            }
        }
    }

    #[test]
    fn text_sorts_as_a_stable_sort_by_its_bytes() {
        let mut x: u64 = 7;
        let mut got: Vec<(String, usize)> = (0..500)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Short words, shared beginnings, repeats, and non-ASCII text.
                let word =
                    ["", "a", "ab", "abcd", "abcde", "abcdf", "ü", "üb", "zzzz"][(x % 9) as usize];
                (format!("{word}{}", "x".repeat((x >> 8) as usize % 3)), i)
            })
            .collect();
        let mut want = got.clone();
        want.sort_by(|a, b| a.0.cmp(&b.0));
        sort_packed(&mut got, |t| Some(first_four(&t.0)), |a, b| a.0.cmp(&b.0));
        assert_eq!(got, want);
    }
}
