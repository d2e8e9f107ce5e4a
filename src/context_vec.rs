//! Growable storage in a PostgreSQL memory context, for aggregate states: what an
//! aggregate keeps must live in its aggregate context, where work_mem, EXPLAIN and
//! pg_backend_memory_contexts account for it and the context's reset frees it. (A Rust
//! `Vec` or `HashMap` cannot be palloc-backed.)

use pgrx::pg_sys;

/// Where the memory comes from.
pub trait Arena: Copy {
    /// `bytes` fresh bytes, or `old` (of `old_bytes`) moved into `bytes`.
    ///
    /// # Safety
    /// `old` is null or was allocated by this arena with `old_bytes` bytes.
    unsafe fn grow(self, old: *mut u8, old_bytes: usize, bytes: usize) -> *mut u8;

    /// Gives back what [`Arena::grow`] made.
    ///
    /// # Safety
    /// `ptr` came from this arena and is not used again.
    unsafe fn free(self, ptr: *mut u8);

    /// A value moved into the arena.
    ///
    /// # Safety
    /// The arena outlives every use of the returned pointer.
    unsafe fn put<T>(self, value: T) -> *mut T {
        // SAFETY: fresh memory of T's size, aligned for it (palloc to MAXALIGN).
        unsafe {
            let ptr = self.grow(std::ptr::null_mut(), 0, std::mem::size_of::<T>().max(1)).cast::<T>();
            ptr.write(value);
            ptr
        }
    }
}

/// A PostgreSQL memory context.
#[derive(Clone, Copy)]
pub struct Context(pub pg_sys::MemoryContext);

impl Arena for Context {
    unsafe fn grow(self, old: *mut u8, _old_bytes: usize, bytes: usize) -> *mut u8 {
        // SAFETY: a live context; repalloc keeps the chunk in the context it came from
        // (and knows its size).
        unsafe {
            if old.is_null() {
                pg_sys::MemoryContextAlloc(self.0, bytes).cast()
            } else {
                pg_sys::repalloc(old.cast(), bytes).cast()
            }
        }
    }

    unsafe fn free(self, ptr: *mut u8) {
        // SAFETY: a chunk of this context.
        unsafe { pg_sys::pfree(ptr.cast()) }
    }
}

/// The Rust heap, leaked: for unit tests outside a server.
#[cfg(test)]
#[derive(Clone, Copy)]
pub struct Heap;

#[cfg(test)]
impl Arena for Heap {
    unsafe fn grow(self, old: *mut u8, old_bytes: usize, bytes: usize) -> *mut u8 {
        let mut v = vec![0u8; bytes];
        if !old.is_null() {
            // SAFETY: old_bytes readable bytes.
            v[..old_bytes].copy_from_slice(unsafe { std::slice::from_raw_parts(old, old_bytes) });
        }
        Box::leak(v.into_boxed_slice()).as_mut_ptr()
    }

    unsafe fn free(self, _ptr: *mut u8) {}
}

/// A growable array of plain values in an [`Arena`]; never dropped (the arena frees it).
pub struct ContextVec<T: Copy, A: Arena> {
    arena: A,
    ptr: *mut T,
    len: usize,
    cap: usize,
}

impl<T: Copy, A: Arena> ContextVec<T, A> {
    pub fn new(arena: A) -> Self {
        Self { arena, ptr: std::ptr::null_mut(), len: 0, cap: 0 }
    }

    pub fn push(&mut self, value: T) {
        if self.len == self.cap {
            let cap = (self.cap * 2).max(8);
            let size = std::mem::size_of::<T>();
            // SAFETY: ptr came from this arena with cap * size bytes (or is null).
            self.ptr = unsafe { self.arena.grow(self.ptr.cast(), self.cap * size, cap * size) }.cast();
            self.cap = cap;
        }
        // SAFETY: len < cap.
        unsafe { self.ptr.add(self.len).write(value) };
        self.len += 1;
    }

    pub fn as_slice(&self) -> &[T] {
        if self.ptr.is_null() {
            return &[];
        }
        // SAFETY: len initialized values.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    pub fn clear(&mut self) {
        self.len = 0;
    }
}

/// A count per item id (open addressing, linear probing; a count of 0 marks a free slot,
/// so only positive counts are stored), in an [`Arena`].
pub struct ItemCounts<A: Arena> {
    arena: A,
    slots: *mut (i64, i32),
    mask: usize,
    used: usize,
}

impl<A: Arena> ItemCounts<A> {
    pub fn new(arena: A) -> Self {
        Self { arena, slots: std::ptr::null_mut(), mask: 0, used: 0 }
    }

    fn slot(item: i64, mask: usize) -> usize {
        // A multiply and a fold spread plain integer ids well enough.
        let h = (item as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((h ^ (h >> 32)) as usize) & mask
    }

    fn slots(&self) -> &[(i64, i32)] {
        if self.slots.is_null() {
            return &[];
        }
        // SAFETY: mask + 1 slots, all initialized.
        unsafe { std::slice::from_raw_parts(self.slots, self.mask + 1) }
    }

    pub fn get(&self, item: i64) -> i32 {
        let slots = self.slots();
        if slots.is_empty() {
            return 0;
        }
        let mut i = Self::slot(item, self.mask);
        loop {
            match slots[i] {
                (_, 0) => return 0,
                (k, n) if k == item => return n,
                _ => i = (i + 1) & self.mask,
            }
        }
    }

    pub fn add(&mut self, item: i64, n: i32) {
        if self.slots.is_null() || (self.used + 1) * 2 > self.mask + 1 {
            self.rehash();
        }
        // SAFETY: mask + 1 initialized slots, at most half used, so probing ends.
        let slots = unsafe { std::slice::from_raw_parts_mut(self.slots, self.mask + 1) };
        let mut i = Self::slot(item, self.mask);
        loop {
            match slots[i] {
                (_, 0) => {
                    slots[i] = (item, n);
                    self.used += 1;
                    return;
                }
                (k, c) if k == item => {
                    slots[i].1 = c + n;
                    return;
                }
                _ => i = (i + 1) & self.mask,
            }
        }
    }

    fn rehash(&mut self) {
        let old: Vec<(i64, i32)> = self.slots().iter().copied().filter(|s| s.1 != 0).collect();
        let size = if self.slots.is_null() { 16 } else { (self.mask + 1) * 2 };
        let bytes = size * std::mem::size_of::<(i64, i32)>();
        // SAFETY: fresh memory for `size` slots; the old ones (copied above) are given back.
        let slots = unsafe {
            if !self.slots.is_null() {
                self.arena.free(self.slots.cast());
            }
            self.arena.grow(std::ptr::null_mut(), 0, bytes)
        }
        .cast::<(i64, i32)>();
        for i in 0..size {
            // SAFETY: within the fresh slots.
            unsafe { slots.add(i).write((0, 0)) };
        }
        self.slots = slots;
        self.mask = size - 1;
        self.used = 0;
        for (item, n) in old {
            self.add(item, n);
        }
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn counts_grow_and_stay_exact() {
        let mut counts = ItemCounts::new(Heap);
        assert_eq!(counts.get(7), 0);
        for round in 1..=3 {
            for item in -500i64..500 {
                counts.add(item * 7919, 1);
            }
            assert_eq!(counts.get(13 * 7919), round);
        }
        assert_eq!(counts.get(i64::MIN), 0);
        counts.add(i64::MIN, 2);
        assert_eq!(counts.get(i64::MIN), 2);
        assert_eq!(counts.get(499 * 7919), 3);
    }

    #[test]
    fn vec_pushes_past_its_capacity() {
        let mut v = ContextVec::new(Heap);
        for i in 0..100 {
            v.push((i, i as i32));
        }
        assert_eq!(v.as_slice().len(), 100);
        assert_eq!(v.as_slice()[99], (99, 99));
        v.clear();
        assert!(v.as_slice().is_empty());
    }
}
