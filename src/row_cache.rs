//! A row cache: the decoded rows of the last few results parsed in this backend.
//!
//! The view parses every result twice: the `attempt_no` window's aggregate reads its item
//! ids, then `attempt_elements` reads its rows, moments later, from a copy of the same
//! datum. Both go through [`with_rows`], so the second finds the first's work here instead
//! of decompressing and walking the jsonb again.
//!
//! Entries are keyed by the datum's bytes as stored (usually pglz-compressed, ~500 bytes
//! for 20 questions), compared in full: equal bytes are the same value, so a hit can never
//! be a different result, whatever happened since. Out-of-line (TOASTed) values and large
//! ones are parsed every time instead of being copied.

use crate::elements::kept_elements;
use pgrx::{pg_sys, varlena};
use std::cell::RefCell;

/// One kept element of a result, decoded as the contract says (docs/SPEC.md §5).
#[derive(Clone, Copy)]
pub struct Row {
    pub position: i32,
    pub item_id: i64,
    pub correct: bool,
    pub response_time_ms: i32,
    pub hint_used: bool,
    /// `topic`, when it is a non-empty string: its byte range in [`Rows::topics`].
    topic: Option<(u32, u32)>,
}

/// A result's kept elements, in array order.
#[derive(Default, Clone)]
pub struct Rows {
    pub rows: Vec<Row>,
    topics: Vec<u8>,
}

impl Rows {
    pub fn topic(&self, row: &Row) -> Option<&[u8]> {
        row.topic.map(|(start, end)| &self.topics[start as usize..end as usize])
    }

    /// Decodes a result into `self`, reusing its buffers.
    ///
    /// # Safety
    /// `datum` is a jsonb datum, valid for the call.
    unsafe fn parse(&mut self, datum: pg_sys::Datum) {
        self.rows.clear();
        self.topics.clear();
        let raw = datum.cast_mut_ptr::<pg_sys::varlena>();
        // SAFETY: a jsonb datum; detoasting returns it or a palloc'd copy.
        let jsonb = unsafe { pg_sys::pg_detoast_datum(raw) };
        // SAFETY: the detoasted value lives until the pfree below, after the last element.
        for element in unsafe { kept_elements(jsonb.cast()) } {
            let fields = element.fields();
            let topic = fields.topic.map(|bytes| {
                let start = self.topics.len() as u32;
                self.topics.extend_from_slice(bytes);
                (start, self.topics.len() as u32)
            });
            self.rows.push(Row {
                position: element.position,
                item_id: element.item_id,
                correct: fields.correct,
                response_time_ms: fields.response_time_ms,
                hint_used: fields.hint_used,
                topic,
            });
        }
        if jsonb != raw {
            // SAFETY: the copy detoasting made, no longer read.
            unsafe { pg_sys::pfree(jsonb.cast()) };
        }
    }
}

/// Enough for a peer group of tied results (the aggregate reads the whole group before
/// the first of its rows is produced); a longer group is parsed twice, which is all a miss
/// costs.
const ENTRIES: usize = 4;
/// Stored values above this are not copied into the cache.
const MAX_CACHED_BYTES: usize = 16 * 1024;
/// An entry whose buffers grew past this for one large result gets fresh ones on reuse,
/// so the cache holds at most a few small results' worth of memory.
const MAX_KEPT_CAPACITY: usize = 64 * 1024;

#[derive(Default)]
struct Entry {
    /// The datum's bytes as stored, header included; empty when the slot is free.
    key: Vec<u8>,
    rows: Rows,
}

#[derive(Default)]
struct Recent {
    entries: [Entry; ENTRIES],
    /// The slot the next miss overwrites (round robin: the oldest).
    next: usize,
}

thread_local! {
    static RECENT: RefCell<Recent> = RefCell::default();
}

/// Calls `f` with the decoded rows of the jsonb `datum`: from the cache when the same value
/// was parsed lately, else parsed now (and cached when small and stored inline).
///
/// # Safety
/// `datum` is a non-NULL jsonb datum, valid for the call.
pub unsafe fn with_rows<R>(datum: pg_sys::Datum, f: impl FnOnce(&Rows) -> R) -> R {
    let raw = datum.cast_mut_ptr::<pg_sys::varlena>();
    // SAFETY: a varlena datum: its header says how it is stored and how long it is.
    let (external, size) = unsafe { (varlena::varatt_is_1b_e(raw), varlena::varsize_any(raw)) };
    if external || size > MAX_CACHED_BYTES {
        // SAFETY: the caller's datum.
        return f(&unsafe { parse_uncached(datum) });
    }
    // SAFETY: an inline varlena of `size` bytes, header included.
    let key = unsafe { std::slice::from_raw_parts(raw.cast::<u8>(), size) };
    RECENT.with(|recent| {
        // Never expected to be taken (nothing in here calls back into a parse), but an
        // error escaping without unwinding would leave it so: then parse uncached.
        let Ok(mut recent) = recent.try_borrow_mut() else {
            // SAFETY: the caller's datum.
            return f(&unsafe { parse_uncached(datum) });
        };
        if let Some(hit) = recent.entries.iter().position(|e| e.key == key) {
            return f(&recent.entries[hit].rows);
        }
        let slot = recent.next;
        recent.next = (slot + 1) % ENTRIES;
        let entry = &mut recent.entries[slot];
        // Free the slot first: if parsing raises, it must not keep the new key with the
        // old rows.
        entry.key.clear();
        if entry.rows.rows.capacity() * std::mem::size_of::<Row>() > MAX_KEPT_CAPACITY
            || entry.rows.topics.capacity() > MAX_KEPT_CAPACITY
        {
            entry.rows = Rows::default();
        }
        // SAFETY: the caller's datum.
        unsafe { entry.rows.parse(datum) };
        entry.key.extend_from_slice(key);
        f(&entry.rows)
    })
}

/// The decoded rows of one result, without the cache (the store's writers keep them).
///
/// # Safety
/// As for [`with_rows`].
pub unsafe fn parse_uncached(datum: pg_sys::Datum) -> Rows {
    let mut rows = Rows::default();
    // SAFETY: the caller's datum.
    unsafe { rows.parse(datum) };
    rows
}
