//! Stable sorting through one shared copy of the standard library's sort.
//!
//! `slice::sort_by` is generic over the element and the comparison, so every call site with its
//! own closure gets its own copy of the sort (about 3.7 KB of wasm each). The sorts here order a
//! list of indices with a comparison behind `dyn`, which the standard sort sees as one type, and
//! then move the elements into that order: the result is exactly `sort_by`'s (both are stable),
//! at the cost of an indirect call per comparison. Meant for short lists off the hot paths
//! (controllers' per-object lists, kubectl's printing), not for per-pod work (docs/size.md).

use std::cmp::Ordering;

/// [`slice::sort_by`], with the same result.
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

#[inline(never)]
fn sort_indices(order: &mut [usize], compare: &mut dyn FnMut(&usize, &usize) -> Ordering) {
    order.sort_by(|a, b| compare(a, b));
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
}
