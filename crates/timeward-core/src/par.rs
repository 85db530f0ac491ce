//! Work split in two halves on two threads, joined in order: the same result as one
//! thread, sooner on a machine with two cores (what the daemon is sized for).

/// `f` of each item, in order; on two threads when there are at least `from` items.
pub(crate) fn on_two<T: Sync, R: Send>(
    items: &[T],
    from: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if items.len() < from.max(2) {
        return items.iter().map(f).collect();
    }
    let (first, second) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        let f = &f;
        let later = scope.spawn(move || second.iter().map(f).collect::<Vec<_>>());
        let mut all: Vec<R> = first.iter().map(f).collect();
        // A panic in `f` is a bug; surface it as the same panic.
        all.extend(
            later
                .join()
                .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
        );
        all
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_same_in_order_on_one_or_two_threads() {
        let items: Vec<u32> = (0..1001).collect();
        let one = super::on_two(&items, usize::MAX, |x| x * 3);
        let two = super::on_two(&items, 1, |x| x * 3);
        assert_eq!(one, two);
        assert_eq!(two.len(), 1001);
        assert_eq!(two[1000], 3000);
        assert!(super::on_two(&[] as &[u32], 1, |x| *x).is_empty());
    }
}
