//! Small blocks for wasm32: the model's objects are made of many small allocations (names,
//! labels, statuses; about 240 per pod on its way to ready), and the standard library's wasm
//! allocator (dlmalloc) splits and coalesces chunks with boundary tags on every one. Here a
//! block of up to [`SMALL`] bytes comes from a free list per size class (8-byte steps), refilled
//! from 64 KiB pieces of the system allocator; a freed block goes back on its class's list.
//! Larger or more aligned blocks go to the system allocator as before.
//!
//! No block has a header: a block's class is worked out again from the layout it is freed
//! with, so the envelope's wasm memory is smaller than with dlmalloc alone (`bench_wasm
//! envelope_full`, 2026-11-28: 932 MiB against 976 MiB). A freed block serves only its own
//! class again, and the pieces are never given back: memory once used for small blocks stays
//! theirs. What is `unsafe` is reading and writing the free-list links kept in free blocks,
//! and calling the system allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;

/// The largest block served from the size classes.
pub const SMALL: usize = 256;
/// Size classes: 8, 16, ..., 256 bytes.
const CLASSES: usize = SMALL / 8;
/// What is taken from the system allocator at a time to carve blocks from.
const PIECE: usize = 64 * 1024;

/// The class of a block of `size` bytes (1..=SMALL), and the class's block size.
pub fn class_of(size: usize) -> (usize, usize) {
    let class = size.max(1).div_ceil(8) - 1;
    (class, (class + 1) * 8)
}

/// Whether a layout is served from the size classes.
pub fn is_small(layout: Layout) -> bool {
    layout.size() <= SMALL && layout.align() <= 8
}

/// The allocator's state: each class's free list (the address of its first free block, 0 when
/// empty; each free block holds the address of the next) and the piece blocks are carved from.
struct Classes {
    free: [usize; CLASSES],
    /// The next unused byte of the current piece, and its end.
    next: usize,
    end: usize,
}

/// The allocator: install with `#[global_allocator]` (this crate does, on wasm32).
pub struct SmallBlocks {
    state: UnsafeCell<Classes>,
}

impl SmallBlocks {
    pub const fn new() -> Self {
        SmallBlocks { state: UnsafeCell::new(Classes { free: [0; CLASSES], next: 0, end: 0 }) }
    }
}

impl Default for SmallBlocks {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: wasm32 without the `atomics` feature runs one thread, so the state is never reached
// from two threads. Elsewhere the type is not `Sync`: it cannot be installed as the global
// allocator of a program that has threads.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl Sync for SmallBlocks {}

impl SmallBlocks {
    /// A block of `class`'s size: from its free list, else carved from the current piece (a new
    /// piece when it is used up). 0 when the system allocator has no more.
    ///
    /// # Safety
    /// Not re-entered (one thread; the system allocator never calls back).
    unsafe fn take(&self, class: usize, size: usize) -> usize {
        // SAFETY: one thread, and no reference to the state outlives this call.
        let st = unsafe { &mut *self.state.get() };
        let head = st.free[class];
        if head != 0 {
            // SAFETY: `head` is a free block of this class (at least 8 bytes, 8-aligned) whose
            // first word is the next free block's address, written by `give`.
            st.free[class] = unsafe { (head as *const usize).read() };
            return head;
        }
        if st.end - st.next < size {
            // The rest of the piece (under SMALL bytes) is left unused.
            // SAFETY: a non-zero size and a valid alignment.
            let piece = unsafe { System.alloc(Layout::from_size_align_unchecked(PIECE, 8)) };
            if piece.is_null() {
                return 0;
            }
            st.next = piece as usize;
            st.end = st.next + PIECE;
        }
        let block = st.next;
        st.next += size;
        block
    }

    /// Puts a block back on its class's free list.
    ///
    /// # Safety
    /// `block` came from `take` for `class` and is no longer used; not re-entered.
    unsafe fn give(&self, class: usize, block: usize) {
        // SAFETY: one thread, and no reference to the state outlives this call.
        let st = unsafe { &mut *self.state.get() };
        // SAFETY: the block is the caller's to give (at least 8 bytes, 8-aligned).
        unsafe { (block as *mut usize).write(st.free[class]) };
        st.free[class] = block;
    }
}

// SAFETY: small blocks are 8-aligned and at least their layout's size, each handed out once
// until freed; everything else is the system allocator's.
unsafe impl GlobalAlloc for SmallBlocks {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if is_small(layout) {
            let (class, size) = class_of(layout.size());
            // SAFETY: one thread; the allocator is not re-entered.
            unsafe { self.take(class, size) as *mut u8 }
        } else {
            // SAFETY: the caller's layout, as GlobalAlloc requires.
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if is_small(layout) {
            // SAFETY: a small block allocated with this layout, so of this class.
            unsafe { self.give(class_of(layout.size()).0, ptr as usize) }
        } else {
            // SAFETY: allocated by the system allocator with this layout.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if is_small(layout) {
            // SAFETY: as alloc.
            let p = unsafe { self.alloc(layout) };
            if !p.is_null() {
                // SAFETY: the block has at least layout.size() bytes.
                unsafe { p.write_bytes(0, layout.size()) };
            }
            p
        } else {
            // SAFETY: the caller's layout.
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: GlobalAlloc's contract: the new size with the old alignment is a valid layout.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (is_small(layout), is_small(new)) {
            // The same class: the block already has room.
            (true, true) if class_of(layout.size()).0 == class_of(new_size).0 => ptr,
            // SAFETY: both the system allocator's.
            (false, false) => unsafe { System.realloc(ptr, layout, new_size) },
            _ => {
                // SAFETY: a valid layout.
                let to = unsafe { self.alloc(new) };
                if !to.is_null() {
                    // SAFETY: both blocks hold at least the smaller size, and are distinct.
                    unsafe { std::ptr::copy_nonoverlapping(ptr, to, layout.size().min(new_size)) };
                    // SAFETY: the old block, with its layout.
                    unsafe { self.dealloc(ptr, layout) };
                }
                to
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_round_up_to_eight_bytes() {
        assert_eq!(class_of(1), (0, 8));
        assert_eq!(class_of(8), (0, 8));
        assert_eq!(class_of(9), (1, 16));
        assert_eq!(class_of(24), (2, 24));
        assert_eq!(class_of(SMALL), (CLASSES - 1, SMALL));
        assert!(is_small(Layout::from_size_align(SMALL, 8).unwrap()));
        assert!(!is_small(Layout::from_size_align(SMALL + 1, 8).unwrap()));
        assert!(!is_small(Layout::from_size_align(16, 16).unwrap()));
    }

    /// Blocks are handed out once, reused after they are freed, keep what is written in them
    /// through a reallocation, and never overlap (natively, on this allocator directly).
    #[test]
    fn blocks_are_distinct_reused_and_kept() {
        let a = SmallBlocks::new();
        let layout = |n| Layout::from_size_align(n, 8).unwrap();
        let mut live: Vec<(usize, usize)> = Vec::new();
        for n in (1..=SMALL).chain(1..=SMALL) {
            // SAFETY: a valid layout; the block is used only within its size.
            let p = unsafe { a.alloc(layout(n)) };
            assert!(!p.is_null() && (p as usize).is_multiple_of(8));
            // SAFETY: the block has n bytes.
            unsafe { p.write_bytes(n as u8, n) };
            live.push((p as usize, n));
        }
        let mut spans: Vec<(usize, usize)> = live.iter().map(|&(p, n)| (p, p + class_of(n).1)).collect();
        spans.sort();
        assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0), "blocks overlap");
        for &(p, n) in &live {
            // SAFETY: written above with n bytes of value n.
            assert!(unsafe { std::slice::from_raw_parts(p as *const u8, n) }.iter().all(|&b| b == n as u8));
        }
        let (p, n) = live[40];
        // SAFETY: a live block of this layout.
        unsafe { a.dealloc(p as *mut u8, layout(n)) };
        // SAFETY: a valid layout.
        let again = unsafe { a.alloc(layout(n)) };
        assert_eq!(again as usize, p, "a freed block is reused by its class");
        // Growing within the class keeps the block; growing past it moves what it holds.
        // SAFETY: the block again, of layout n (41 bytes, class 48).
        unsafe { again.write_bytes(7, n) };
        // SAFETY: as above.
        let same = unsafe { a.realloc(again, layout(n), 48) };
        assert_eq!(same, again);
        // SAFETY: as above; 48 -> 300 leaves the classes.
        let moved = unsafe { a.realloc(same, layout(48), 300) };
        // SAFETY: the moved block holds the first 41 bytes written.
        assert!(unsafe { std::slice::from_raw_parts(moved, n) }.iter().all(|&b| b == 7));
        // SAFETY: the system's block of 300 bytes.
        unsafe { a.dealloc(moved, layout(300)) };
    }
}
