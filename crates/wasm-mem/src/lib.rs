//! Memory for the wasm: `memcmp` eight bytes at a time, and small blocks from size classes.
//!
//! On `wasm32-unknown-unknown` every string comparison and equality test (`str == str`, `Ord`
//! for strings, hash-table and B-tree lookups by name) ends in a call to `memcmp`, and the one
//! the standard library brings there (compiler-builtins' portable fallback; only x86_64 has a
//! faster one) compares one byte per loop turn. The model compares names hundreds of times per
//! pod, so the wasm links this one instead: the same result, read in 8-byte words.
//!
//! The model's objects are also made of many small allocations, which [`small`] serves from
//! free lists per size class instead of the standard library's wasm allocator (dlmalloc).
//!
//! This is the project's one `unsafe` code: the C signature hands over raw pointers, and an
//! allocator hands out addresses. All the comparing is done by [`compare`], safe code over
//! slices, which the tests check against the standard library's ordering. Other targets keep
//! their C library's `memcmp` and their allocator.
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

pub mod small;

/// The wasm's allocator: small blocks from size classes, the rest from the system's
/// ([`small`]). Only where there is one thread.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: small::SmallBlocks = small::SmallBlocks::new();

/// `memcmp(a, b, n)`: the sign of the first differing byte's difference, 0 when equal.
///
/// # Safety
/// `a` and `b` must each be valid for reads of `n` bytes (the C contract).
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    if n == 0 {
        return 0;
    }
    // SAFETY: the caller guarantees `n` readable bytes at each non-null pointer (n > 0), and
    // nothing writes them while they are compared.
    let (a, b) = unsafe { (core::slice::from_raw_parts(a, n), core::slice::from_raw_parts(b, n)) };
    compare(a, b)
}

/// `bcmp(a, b, n)`: zero when equal, non-zero otherwise (LLVM calls it for equality tests on
/// targets that declare it).
///
/// # Safety
/// As [`memcmp`].
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the same contract as memcmp's.
    unsafe { memcmp(a, b, n) }
}

/// Compares two byte strings of the same length as `memcmp` does: negative, zero or positive as
/// `a` is before, equal to or after `b`, byte by byte (unsigned). Written as plain loops over
/// words (no iterator adapters, which the page's size-tuned build leaves as calls) and without a
/// slice comparison or a byte loop the compiler could turn back into a call to `memcmp`.
pub fn compare(a: &[u8], b: &[u8]) -> i32 {
    debug_assert_eq!(a.len(), b.len(), "memcmp compares two strings of one length");
    let n = a.len().min(b.len());
    if n >= 8 {
        let mut at = 0;
        while at + 8 <= n {
            let (x, y) = (le64(a, at), le64(b, at));
            if x != y {
                return first_difference(x, y);
            }
            at += 8;
        }
        // The last (up to 7) bytes, as the word ending at `n`: its first bytes were found equal
        // already, so its first difference is the first one.
        let (x, y) = (le64(a, n - 8), le64(b, n - 8));
        return if x == y { 0 } else { first_difference(x, y) };
    }
    if n >= 4 {
        // The first four bytes, then the four ending at `n` (overlapping them).
        let (x, y) = (le32(a, 0), le32(b, 0));
        if x != y {
            return first_difference(x.into(), y.into());
        }
        let (x, y) = (le32(a, n - 4), le32(b, n - 4));
        return if x == y { 0 } else { first_difference(x.into(), y.into()) };
    }
    // Under four bytes: each one in turn (at most three).
    let byte = |s: &[u8], j: usize| s.get(j).copied().map_or(0, i32::from);
    for j in [0, 1, 2] {
        if j < n && byte(a, j) != byte(b, j) {
            return byte(a, j) - byte(b, j);
        }
    }
    0
}

/// The 8 bytes of `s` at `at` (it has them), little-endian: the first byte is the lowest.
#[inline(always)]
fn le64(s: &[u8], at: usize) -> u64 {
    match s.get(at..at + 8).and_then(|w| w.first_chunk::<8>()) {
        Some(w) => u64::from_le_bytes(*w),
        None => 0,
    }
}

/// The 4 bytes of `s` at `at` (it has them), little-endian.
#[inline(always)]
fn le32(s: &[u8], at: usize) -> u32 {
    match s.get(at..at + 4).and_then(|w| w.first_chunk::<4>()) {
        Some(w) => u32::from_le_bytes(*w),
        None => 0,
    }
}

/// The difference of the first differing bytes of two unequal little-endian words (the lowest
/// byte that differs).
#[inline(always)]
fn first_difference(x: u64, y: u64) -> i32 {
    let shift = (x ^ y).trailing_zeros() & !7;
    ((x >> shift) & 0xff) as i32 - ((y >> shift) & 0xff) as i32
}

#[cfg(test)]
mod tests {
    use super::compare;

    fn sign(x: i32) -> core::cmp::Ordering {
        x.cmp(&0)
    }

    /// Every length from 0 to 40, every position of a single difference, both ways round, and
    /// bytes above 127 (compared unsigned): the order is the standard library's.
    #[test]
    fn compares_as_the_standard_library_orders() {
        for n in 0..=40usize {
            let base: Vec<u8> = (0..n).map(|i| (i * 37 % 251) as u8).collect();
            assert_eq!(compare(&base, &base), 0, "length {n}");
            for at in 0..n {
                for delta in [1u8, 128, 255] {
                    let mut other = base.clone();
                    other[at] = other[at].wrapping_add(delta);
                    assert_eq!(sign(compare(&base, &other)), base.cmp(&other), "length {n}, byte {at}, +{delta}");
                    assert_eq!(sign(compare(&other, &base)), other.cmp(&base), "length {n}, byte {at}, +{delta}");
                    // A later difference does not hide the first.
                    if at + 1 < n {
                        other[n - 1] = other[n - 1].wrapping_sub(1);
                        assert_eq!(sign(compare(&base, &other)), base.cmp(&other), "length {n}, byte {at} and last");
                    }
                }
            }
        }
    }

    /// memcmp's value is the difference of the first differing bytes, as unsigned bytes.
    #[test]
    fn returns_the_first_difference() {
        assert_eq!(compare(b"web-7d9f8b6c5d-abcde", b"web-7d9f8b6c5d-abcdf"), i32::from(b'e') - i32::from(b'f'));
        assert_eq!(compare(b"\x00\xff", b"\x00\x01"), 254);
        assert_eq!(compare(b"abcdefgh\x01", b"abcdefgh\x02"), -1);
        assert_eq!(compare(b"", b""), 0);
    }
}
