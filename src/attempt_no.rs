//! `attempt_no` without sorting attempts.
//!
//! The contract numbers a student's attempts at an item by (completed_at, exam result id,
//! position). Within one result an item appears at most once (later duplicates are
//! dropped), so an attempt's number is 1 + the attempts at that item in the student's
//! earlier results. The view therefore sorts results, not attempts (20x fewer rows), and
//! runs the aggregate below as a running window over each student's results:
//!
//! ```sql
//! attempt_no_counts(result_json) OVER (PARTITION BY student ORDER BY completed_at, id)
//! ```
//!
//! The default frame (RANGE ... CURRENT ROW) hands the aggregate a whole peer group, the
//! results sharing (completed_at, id), before the final function runs once for all of
//! them. Only there does the position decide between results, item by item. The final
//! function returns the numbers of every peer's kept elements; each result picks its own
//! slice by its index in the group, `row_number() - rank()` over the same window.
//!
//! Encoding: `[m, len_0 .. len_(m-1), numbers of peer 0 .. numbers of peer m-1]`.

use crate::context_vec::{Arena, Context, ContextVec, ItemCounts};
use crate::fmgr::{arg, v1_info};
use crate::row_cache::with_rows;
use pgrx::prelude::*;
use pgrx::pg_sys;

/// The running state over one student's results, in the aggregate's memory context: it is
/// accounted there and freed when the window moves to the next student.
struct History<A: Arena> {
    /// Per item: attempts in the peer groups already numbered.
    attempts: ItemCounts<A>,
    /// The current peer group: the kept (item, position) pairs of its results, one after
    /// the other, and how many each result has.
    group_items: ContextVec<(i64, i32), A>,
    group_lengths: ContextVec<u32, A>,
    /// Set by the final function: the next result starts a new peer group.
    group_numbered: bool,
}

impl<A: Arena> History<A> {
    fn new(arena: A) -> Self {
        Self {
            attempts: ItemCounts::new(arena),
            group_items: ContextVec::new(arena),
            group_lengths: ContextVec::new(arena),
            group_numbered: false,
        }
    }

    fn add_result(&mut self, items: impl Iterator<Item = (i64, i32)>) {
        if self.group_numbered {
            for &(item, _) in self.group_items.as_slice() {
                self.attempts.add(item, 1);
            }
            self.group_items.clear();
            self.group_lengths.clear();
            self.group_numbered = false;
        }
        let mut n = 0;
        for item in items {
            self.group_items.push(item);
            n += 1;
        }
        self.group_lengths.push(n);
    }

    /// The numbers of the current group, encoded as the module header says. Repeatable:
    /// it changes nothing the next call would read.
    fn number_group(&mut self) -> Vec<i32> {
        self.group_numbered = true;
        let lengths = self.group_lengths.as_slice();
        let items = self.group_items.as_slice();
        let m = lengths.len();
        let mut out: Vec<i32> = Vec::with_capacity(1 + m + items.len());
        out.push(m as i32);
        out.extend(lengths.iter().map(|&n| n as i32));
        if m == 1 {
            out.extend(items.iter().map(|&(item, _)| self.attempts.get(item) + 1));
            return out;
        }
        // Several results tie on (completed_at, id): per item, order their elements by
        // position, then by their order in the group (ties the contract leaves open).
        let start = out.len();
        out.resize(start + items.len(), 0);
        let mut entries: Vec<(i64, i32, usize)> =
            items.iter().enumerate().map(|(k, &(item, position))| (item, position, start + k)).collect();
        entries.sort_unstable();
        let mut rank = 0;
        for (i, &(item, _, slot)) in entries.iter().enumerate() {
            rank = if i > 0 && entries[i - 1].0 == item { rank + 1 } else { 1 };
            out[slot] = self.attempts.get(item) + rank;
        }
        out
    }
}

/// Peer `peer`'s numbers in an encoded group, if the encoding is well formed.
pub fn peer_numbers(encoded: &[i32], peer: i64) -> Option<&[i32]> {
    let m = usize::try_from(*encoded.first()?).ok()?;
    let peer = usize::try_from(peer).ok().filter(|&p| p < m)?;
    let lengths = encoded.get(1..1 + m)?;
    let mut offset = 1 + m;
    for &len in &lengths[..peer] {
        offset = offset.checked_add(usize::try_from(len).ok()?)?;
    }
    let len = usize::try_from(lengths[peer]).ok()?;
    encoded.get(offset..offset.checked_add(len)?)
}

/// # Safety
/// `fcinfo` is a function call's.
unsafe fn aggregate_context(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::MemoryContext {
    let mut context: pg_sys::MemoryContext = std::ptr::null_mut();
    // SAFETY: the call's info; context receives the aggregate's memory context.
    if unsafe { pg_sys::AggCheckCallContext(fcinfo, &mut context) } == 0 {
        pgrx::ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
            "attempt_no_counts_transition() must be called as part of an aggregate"
        );
    }
    context
}

v1_info!(pg_finfo_attempt_no_counts_transition);
/// The transition function of `attempt_no_counts(jsonb)`: adds one result.
///
/// # Safety
/// Called by PostgreSQL as an aggregate transition function `(internal, jsonb) → internal`.
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn attempt_no_counts_transition(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    // SAFETY: an aggregate's call.
    let context = unsafe { aggregate_context(fcinfo) };
    // SAFETY: argument 0 is the state this function returned, or NULL at the first row.
    let history = match unsafe { arg(fcinfo, 0) } {
        Some(state) => state.cast_mut_ptr::<History<Context>>(),
        // SAFETY: the aggregate's context lives as long as the state is used; its reset,
        // when the window moves to the next student, frees the state and its storage.
        None => unsafe { Context(context).put(History::new(Context(context))) },
    };
    // SAFETY: argument 1, a jsonb datum.
    // SAFETY: the state is this aggregate's History, alive until the context resets;
    // argument 1 is a jsonb datum.
    unsafe {
        match arg(fcinfo, 1) {
            Some(json) => with_rows(json, |parsed| {
                (*history).add_result(parsed.rows.iter().map(|r| (r.item_id, r.position)))
            }),
            None => (*history).add_result(std::iter::empty()),
        }
    }
    pg_sys::Datum::from(history)
}

v1_info!(pg_finfo_attempt_no_counts_final);
/// The final function of `attempt_no_counts(jsonb)`: the numbers of the current peer group.
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function `(internal) → integer[]`.
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn attempt_no_counts_final(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    // SAFETY: an aggregate's call.
    unsafe { aggregate_context(fcinfo) };
    // SAFETY: argument 0, the state.
    let Some(state) = (unsafe { arg(fcinfo, 0) }) else {
        // SAFETY: the call's info.
        unsafe { (*fcinfo).isnull = true };
        return pg_sys::Datum::from(0);
    };
    // SAFETY: the state is the transition function's History.
    let mut numbers: Vec<pg_sys::Datum> =
        unsafe { (*state.cast_mut_ptr::<History<Context>>()).number_group() }.into_iter().map(pg_sys::Datum::from).collect();
    // SAFETY: numbers.len() int4 datums, copied into a new array in the current context.
    let array = unsafe {
        pg_sys::construct_array(
            numbers.as_mut_ptr(),
            numbers.len() as i32,
            pg_sys::INT4OID,
            4,
            true,
            pg_sys::TYPALIGN_INT as std::ffi::c_char,
        )
    };
    pg_sys::Datum::from(array)
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    fn group(history: &mut History<crate::context_vec::Heap>, results: &[&[(i64, i32)]]) -> Vec<Vec<i32>> {
        for items in results {
            history.add_result(items.iter().copied());
        }
        let encoded = history.number_group();
        assert_eq!(encoded, history.number_group(), "numbering a group is repeatable");
        (0..results.len() as i64).map(|p| peer_numbers(&encoded, p).unwrap().to_vec()).collect()
    }

    #[test]
    fn retakes_count_per_item() {
        let mut h = History::new(crate::context_vec::Heap);
        assert_eq!(group(&mut h, &[&[(10, 0), (11, 1)]]), vec![vec![1, 1]]);
        assert_eq!(group(&mut h, &[&[(11, 0), (12, 1)]]), vec![vec![2, 1]]);
        assert_eq!(group(&mut h, &[&[(10, 3), (11, 0), (12, 2)]]), vec![vec![2, 3, 2]]);
        assert_eq!(group(&mut h, &[&[]]), vec![Vec::<i32>::new()]);
        assert_eq!(group(&mut h, &[&[(10, 0)]]), vec![vec![3]]);
    }

    #[test]
    fn ties_on_completed_at_and_id_order_by_position() {
        let mut h = History::new(crate::context_vec::Heap);
        assert_eq!(group(&mut h, &[&[(7, 0)]]), vec![vec![1]]);
        // Two results tie: item 7 at positions 3 and 1, item 8 at 0 and 2, item 9 in one.
        let tied = group(&mut h, &[&[(7, 3), (8, 0)], &[(8, 2), (7, 1), (9, 4)]]);
        assert_eq!(tied, vec![vec![3, 1], vec![2, 2, 1]]);
        // Equal positions: the group order decides, and numbers stay dense.
        let same = group(&mut h, &[&[(7, 0)], &[(7, 0)], &[(7, 0)]]);
        assert_eq!(same, vec![vec![4], vec![5], vec![6]]);
        assert_eq!(group(&mut h, &[&[(7, 9), (8, 9), (9, 9)]]), vec![vec![7, 3, 2]]);
    }

    #[test]
    fn malformed_encodings_are_rejected() {
        assert_eq!(peer_numbers(&[], 0), None);
        assert_eq!(peer_numbers(&[1, 2, 5, 6], 0), Some(&[5, 6][..]));
        assert_eq!(peer_numbers(&[1, 2, 5, 6], 1), None);
        assert_eq!(peer_numbers(&[1, 2, 5, 6], -1), None);
        assert_eq!(peer_numbers(&[1, 3, 5, 6], 0), None);
        assert_eq!(peer_numbers(&[2, 1, -1, 5], 1), None);
        assert_eq!(peer_numbers(&[-1], 0), None);
        assert_eq!(peer_numbers(&[2, 1, 1, 5, 6], 1), Some(&[6][..]));
    }
}
