//! Stable sorting through one shared copy of one sort.
//!
//! `slice::sort_by` is generic over the element and the comparison, so every call site with its
//! own closure gets its own copy of the sort (about 3.7 KB of wasm each). The sorts here order a
//! list of indices with a comparison behind `dyn`, one type for the sort, and then move the
//! elements into that order: for a total order the result is exactly `sort_by`'s (both are
//! stable), at the cost of an indirect call per comparison. Meant for lists off the hot paths
//! (controllers' per-object lists, kubectl's printing), not for per-pod work in a loop
//! (docs/size.md).
//!
//! The sort is a merge sort of kubeplay's own, not the standard library's: that one may panic
//! when the comparison is not a total order, and upstream's pod ranking for scale-down is not
//! one (with LogarithmicScaleDown, two pods ready in the same power-of-two bucket compare by UID
//! while equal ready times fall through to later rules). A merge sort only compares and moves,
//! so such a comparison still gives an order, the same on every platform; for a total order it
//! gives exactly the standard stable sort's.

use std::cmp::Ordering;

/// [`slice::sort_by`], with the same result for a total order, and no panic for any other.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    {
        let view: &[T] = items;
        sort_indices(&mut order, &mut |a: &usize, b: &usize| compare(&view[*a], &view[*b]));
    }
    // `order[i]` is the index of the element that belongs at `i`: follow each cycle of the
    // permutation, swapping as it goes.
    for start in 0..order.len() {
        if order[start] == usize::MAX {
            continue;
        }
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = usize::MAX;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// [`slice::sort_by_key`], with the same result.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// A stable bottom-up merge sort: runs of 1, 2, 4, ... merged, an element from the right run
/// taken first only when it is strictly less.
#[inline(never)]
fn sort_indices(order: &mut [usize], compare: &mut dyn FnMut(&usize, &usize) -> Ordering) {
    let n = order.len();
    let mut from = order.to_vec();
    let mut to = vec![0; n];
    let mut width = 1;
    while width < n {
        for lo in (0..n).step_by(2 * width) {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j) = (lo, mid);
            for slot in &mut to[lo..hi] {
                if j < hi && (i >= mid || compare(&from[j], &from[i]) == Ordering::Less) {
                    *slot = from[j];
                    j += 1;
                } else {
                    *slot = from[i];
                    i += 1;
                }
            }
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    order.copy_from_slice(&from);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_order_as_the_standard_stable_sort() {
        // A small LCG: many lists with many equal keys, so stability is exercised.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for len in 0..200 {
            let items: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    ((x >> 59) as u8, i)
                })
                .collect();
            let mut want = items.clone();
            want.sort_by_key(|p| p.0);
            let mut got = items.clone();
            sort_by_key(&mut got, |p| p.0);
            assert_eq!(got, want, "len {len}");
            let mut want = items.clone();
            let by = |a: &(u8, usize), b: &(u8, usize)| (a.0 % 3).cmp(&(b.0 % 3)).then(b.0.cmp(&a.0));
            want.sort_by(by);
            let mut got = items;
            sort_by(&mut got, by);
            assert_eq!(got, want, "len {len}");
        }
    }

    /// A comparison that is not a total order (rock, paper, scissors by value mod 3: each beats
    /// the next) still sorts, without a panic, the same way each time. The standard library's
    /// stable sort panics on these 64 values ("user-provided comparison function does not
    /// correctly implement a total order"); upstream's scale-down ranking is such a comparison.
    #[test]
    fn a_comparison_that_is_not_a_total_order_still_sorts() {
        let beats = |a: &u32, b: &u32| {
            let (x, y) = (a % 3, b % 3);
            if x == y {
                a.cmp(b)
            } else if (x + 1) % 3 == y {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        };
        let items: Vec<u32> = (0..64u32).map(|i| i.wrapping_mul(2_654_435_761) % 1000).collect();
        let mut once = items.clone();
        sort_by(&mut once, beats);
        let mut twice = items.clone();
        sort_by(&mut twice, beats);
        assert_eq!(once, twice);
        let (mut got, mut want) = (once, items);
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "a sort only moves elements");
    }
}
