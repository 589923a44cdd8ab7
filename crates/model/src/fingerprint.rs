//! Fingerprints: a fast 64-bit hash of what a controller last wrote, so that a sync which would
//! write the same thing again can be skipped (the kubelet's pod status, the endpoints
//! controller's lists). Deterministic (no random keys) and never shown or iterated; a change
//! detector, not a defence against crafted collisions.

use std::hash::{Hash, Hasher};

/// A word-at-a-time multiply-rotate hash (the scheme rustc's FxHasher uses).
#[derive(Default)]
pub struct Fingerprint(u64);

const K: u64 = 0x517c_c1b7_2722_0a95;

// The hasher's methods are always inlined: the page's wasm is optimized for size, and would call
// each one (for every hash-table lookup by name) out of line.
impl Fingerprint {
    #[inline(always)]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }

    /// The fingerprint of one value.
    pub fn of<T: Hash + ?Sized>(value: &T) -> u64 {
        let mut h = Fingerprint::default();
        value.hash(&mut h);
        h.finish()
    }
}

impl Hasher for Fingerprint {
    #[inline(always)]
    fn write(&mut self, mut bytes: &[u8]) {
        // Eight bytes a word, little-endian; the last few (zero-padded) with their count. Slice
        // patterns, not `chunks_exact` and `copy_from_slice`, which the page's size-optimized
        // wasm called out of line for every word.
        while let [a, b, c, d, e, f, g, h, rest @ ..] = bytes {
            self.add(u64::from_le_bytes([*a, *b, *c, *d, *e, *f, *g, *h]));
            bytes = rest;
        }
        if !bytes.is_empty() {
            // The last one to seven bytes as a little-endian word: four, two and one at a time
            // (a loop of up to seven turns was a third of hashing a name).
            let (len, mut w, mut shift) = (bytes.len() as u64, 0u64, 0);
            if let [a, b, c, d, rest @ ..] = bytes {
                w = u64::from(u32::from_le_bytes([*a, *b, *c, *d]));
                shift = 32;
                bytes = rest;
            }
            if let [a, b, rest @ ..] = bytes {
                w |= u64::from(u16::from_le_bytes([*a, *b])) << shift;
                shift += 16;
                bytes = rest;
            }
            if let [a] = bytes {
                w |= u64::from(*a) << shift;
            }
            self.add(w ^ (len << 59));
        }
    }

    #[inline(always)]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline(always)]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline(always)]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline(always)]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline(always)]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The hash table behind [`LookupMap`]: keyed with [`Fingerprint`], no random keys.
#[allow(clippy::disallowed_types)]
type Table<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fingerprint>>;

/// A hash map that can be looked up but not iterated in its own order: what it holds comes out
/// only sorted ([`LookupMap::sorted`], its `Debug`), so its order cannot reach any output. The
/// model uses one where a B-tree's string compares were a hot spot (the store's objects by
/// name, the kubelets' pod records, the event log's index; `HashMap` itself stays banned by the
/// project's lint).
#[derive(Clone)]
pub(crate) struct LookupMap<K, V>(Table<K, V>);

impl<K, V> Default for LookupMap<K, V> {
    fn default() -> Self {
        LookupMap(Table::default())
    }
}

impl<K: std::hash::Hash + Eq, V> LookupMap<K, V> {
    pub(crate) fn get<Q: std::hash::Hash + Eq + ?Sized>(&self, k: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
    {
        self.0.get(k)
    }

    pub(crate) fn get_mut<Q: std::hash::Hash + Eq + ?Sized>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: std::borrow::Borrow<Q>,
    {
        self.0.get_mut(k)
    }

    pub(crate) fn contains_key<Q: std::hash::Hash + Eq + ?Sized>(&self, k: &Q) -> bool
    where
        K: std::borrow::Borrow<Q>,
    {
        self.0.contains_key(k)
    }

    pub(crate) fn insert(&mut self, k: K, v: V) -> Option<V> {
        self.0.insert(k, v)
    }

    /// Stores `v` under `k` if nothing is there, and gives what is there.
    pub(crate) fn get_or_insert(&mut self, k: K, v: V) -> &mut V {
        self.0.entry(k).or_insert(v)
    }

    pub(crate) fn remove<Q: std::hash::Hash + Eq + ?Sized>(&mut self, k: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
    {
        let v = self.0.remove(k);
        self.shrink_after_removal();
        v
    }

    /// Gives memory back once fewer than a quarter of the table's room is used (a hash table
    /// keeps its largest size otherwise, where a B-tree frees its nodes as entries go): a
    /// ReplicaSet scaled to zero or a Service's endpoints at 150,000 pods would keep megabytes
    /// each. The room left is twice what is held, so a table must lose half its entries again
    /// before the next shrink: removals stay amortized O(1), and a removal followed by an
    /// insert never shrinks.
    fn shrink_after_removal(&mut self) {
        let (len, room) = (self.0.len(), self.0.capacity());
        if room > 64 && len < room / 4 {
            self.0.shrink_to(len * 2);
        }
    }

    pub(crate) fn get_key_value<Q: std::hash::Hash + Eq + ?Sized>(&self, k: &Q) -> Option<(&K, &V)>
    where
        K: std::borrow::Borrow<Q>,
    {
        self.0.get_key_value(k)
    }

    /// Keeps the entries `keep` says to. It sees them in hash order: it must only answer, never
    /// record or do anything whose result depends on that order.
    pub(crate) fn retain(&mut self, keep: impl FnMut(&K, &mut V) -> bool) {
        self.0.retain(keep);
        self.shrink_after_removal();
    }

    pub(crate) fn remove_entry<Q: std::hash::Hash + Eq + ?Sized>(&mut self, k: &Q) -> Option<(K, V)>
    where
        K: std::borrow::Borrow<Q>,
    {
        let e = self.0.remove_entry(k);
        self.shrink_after_removal();
        e
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Everything, in key order.
    pub(crate) fn sorted(&self) -> Vec<(&K, &V)>
    where
        K: Ord,
    {
        self.sorted_where(|_, _| true)
    }

    /// The entries `keep` says to, in key order. `keep` sees them in hash order: it must only
    /// answer.
    pub(crate) fn sorted_where(&self, mut keep: impl FnMut(&K, &V) -> bool) -> Vec<(&K, &V)>
    where
        K: Ord,
    {
        let mut all: Vec<(&K, &V)> = self.0.iter().filter(|(k, v)| keep(k, v)).collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        all
    }

    /// Whether any entry satisfies `test` (which entry is found first is not said).
    pub(crate) fn any(&self, mut test: impl FnMut(&K, &V) -> bool) -> bool {
        self.0.iter().any(|(k, v)| test(k, v))
    }
}

impl<K: std::hash::Hash + Eq + Ord + std::fmt::Debug, V: std::fmt::Debug> std::fmt::Debug for LookupMap<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.sorted()).finish()
    }
}

/// FNV-1a, 64-bit, from any starting value (`Fnv::NEW` is the standard offset basis): the event
/// log's digest, image digests, the random streams' names. Text can be written to it.
pub(crate) struct Fnv(pub(crate) u64);

impl Fnv {
    pub(crate) const NEW: Fnv = Fnv(0xcbf2_9ce4_8422_2325);

    #[inline(always)]
    pub(crate) fn bytes(&mut self, bytes: impl IntoIterator<Item = u8>) {
        for b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Hashes `v` written in decimal, as `write!(fnv, "{v}")` would, without the formatting
    /// machinery (the event log hashes a time per event).
    pub(crate) fn decimal(&mut self, v: u64) {
        let (digits, at) = decimal_digits(v);
        self.bytes(digits[at..].iter().copied());
    }
}

/// `v` in decimal, as `format!("{v}")` writes it, on the stack: the digits are `digits[at..]`.
/// Zeros fill the array in front of them, so `digits[at.min(20 - w)..]` is `v` zero-padded to
/// `w` digits (`w` at most 20).
pub(crate) fn decimal_digits(mut v: u64) -> ([u8; 20], usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    (digits, at)
}

impl std::fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.bytes(s.bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Fingerprint, Fnv, LookupMap};
    use std::hash::Hasher as _;

    /// A table emptied by removals gives its memory back (a ReplicaSet scaled to zero keeps no
    /// room for the pods it had), and keeps what it holds.
    #[test]
    fn a_lookup_map_shrinks_as_it_empties() {
        let mut m: LookupMap<String, u32> = LookupMap::default();
        for i in 0..10_000 {
            m.insert(format!("web-{i}"), i);
        }
        let full = m.0.capacity();
        for i in 10..10_000 {
            assert_eq!(m.remove(&format!("web-{i}")), Some(i));
        }
        assert!(m.0.capacity() <= 64, "room for {} of 10 after {full}", m.0.capacity());
        assert_eq!(m.sorted().len(), 10);
        assert_eq!(m.get("web-9"), Some(&9));
        for i in 0..5 {
            assert_eq!(m.remove_entry(&format!("web-{i}")), Some((format!("web-{i}"), i)));
        }
        m.retain(|_, v| *v != 5);
        assert_eq!(m.sorted().into_iter().map(|(_, v)| *v).collect::<Vec<_>>(), [6, 7, 8, 9]);
    }

    /// The words are the bytes eight at a time, little-endian, and the zero-padded rest with its
    /// length in the top bits: checked against that written out plainly, for every length up to
    /// three words.
    #[test]
    fn writes_the_bytes_a_word_at_a_time() {
        let text: Vec<u8> = (0u8..25).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
        for len in 0..=text.len() {
            let bytes = &text[..len];
            let mut want = Fingerprint::default();
            for c in bytes.chunks(8) {
                let mut w = [0u8; 8];
                w[..c.len()].copy_from_slice(c);
                let tail = if c.len() < 8 { (c.len() as u64) << 59 } else { 0 };
                want.add(u64::from_le_bytes(w) ^ tail);
            }
            let mut got = Fingerprint::default();
            got.write(bytes);
            assert_eq!(got.finish(), want.finish(), "{len} bytes");
        }
    }

    /// `Fnv::decimal` hashes what formatting the number would: the event digest depends on it.
    #[test]
    fn decimal_hashes_the_number_as_written() {
        for v in [0, 7, 10, 99, 1_000, 123_456_789, u64::MAX] {
            let mut written = Fnv::NEW;
            std::fmt::Write::write_fmt(&mut written, format_args!("{v}")).unwrap();
            let mut direct = Fnv::NEW;
            direct.decimal(v);
            assert_eq!(direct.0, written.0, "{v}");
        }
    }

    /// A fingerprint that could not tell these apart would skip a needed write.
    #[test]
    fn tells_apart_what_a_sync_writes() {
        let a = Fingerprint::of(&("web-1", Some("10.244.1.2"), (true, true, false)));
        assert_eq!(a, Fingerprint::of(&("web-1", Some("10.244.1.2"), (true, true, false))));
        assert_ne!(a, Fingerprint::of(&("web-1", Some("10.244.1.2"), (false, true, false))));
        assert_ne!(a, Fingerprint::of(&("web-1", Some("10.244.1.3"), (true, true, false))));
        assert_ne!(a, Fingerprint::of(&("web-1", None::<&str>, (true, true, false))));
        // Strings are length-delimited: moving a byte between two fields changes the result.
        assert_ne!(Fingerprint::of(&("ab", "c")), Fingerprint::of(&("a", "bc")));
        assert_ne!(Fingerprint::of(&"12345678"), Fingerprint::of(&"123456780"));
    }
}
