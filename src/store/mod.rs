//! The incremental store's native parts (docs/OPERATIONS.md, "The incremental store").
//!
//! The store holds one row per kept exam result: its student, completed_at, session and
//! the arrays of its kept elements (attempt ids, items, answers packed in an int8 with
//! their attempt numbers: numbering::pack, topics),
//! in `attempt_lock_store.attempt_store`; and one row per student with a tally of attempts
//! per item and its latest completion, in `attempt_lock_store.attempt_store_students`.
//! `attempt` unnests the arrays (sql/src/view/query.sql). A write touches one row per
//! result, and a result completed after its student's others (the usual write) is
//! numbered from the tally without reading the student's history.
//!
//! - [`attempt_store_sync`]: the statement-level trigger function on the source (INSERT,
//!   UPDATE, DELETE, with transition tables) that keeps the store exact;
//! - [`attempt_store_truncate`]: its TRUNCATE counterpart;
//! - [`attempt_store_fill`]: the backfill of the switch.
//!
//! The trigger functions run as the extension's owner (SECURITY DEFINER: a writer of the
//! source has no right on the store), so they refuse to run unless fired as the switch
//! installs them: AFTER, FOR EACH STATEMENT, under the name the switch gives each, calling
//! this very function, and, while the store is on (off, they write nothing), on the
//! recorded source table and depending on the extension
//! (ALTER TRIGGER ... DEPENDS ON EXTENSION) — all read from the catalog, never an OID
//! remembered from before, as pg_dump re-creates triggers with new OIDs. They read the
//! transition rows natively (src/store/source.rs).

mod heap;
mod numbering;
mod source;
mod write;

use crate::error::AttemptLockError;
use crate::fmgr::{arg, v1_info};
use numbering::{renumber_after, Place};
use pgrx::pg_sys;
use pgrx::prelude::*;
use source::{each_row, SourceLayout, SourceResult};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::CStr;

/// The switch's trigger on the source for each event (sql/src/store/switch.sql).
fn trigger_name(event: u32) -> &'static str {
    match event & pg_sys::TRIGGER_EVENT_OPMASK {
        pg_sys::TRIGGER_EVENT_INSERT => "attempt_store_insert",
        pg_sys::TRIGGER_EVENT_UPDATE => "attempt_store_update",
        pg_sys::TRIGGER_EVENT_DELETE => "attempt_store_delete",
        _ => "attempt_store_truncate",
    }
}

thread_local! {
    /// The extension's OID and its schema's, until the next relcache invalidation: DROP
    /// and CREATE EXTENSION drop and make relations, which send them (the extension cannot
    /// move: relocatable = false).
    static EXTENSION: std::cell::Cell<Option<(pg_sys::Oid, pg_sys::Oid)>> = const { std::cell::Cell::new(None) };
    static FORGETS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A relcache invalidation callback: forgets [`EXTENSION`].
unsafe extern "C-unwind" fn forget_extension(_arg: pg_sys::Datum, _relid: pg_sys::Oid) {
    EXTENSION.set(None);
}

/// The extension's OID and its schema's.
///
/// # Safety
/// Called in a backend, inside a transaction.
unsafe fn extension() -> (pg_sys::Oid, pg_sys::Oid) {
    if let Some(known) = EXTENSION.get() {
        return known;
    }
    let found = Spi::get_two::<pg_sys::Oid, pg_sys::Oid>(
        "SELECT e.oid, e.extnamespace FROM pg_catalog.pg_extension AS e
          WHERE e.extname OPERATOR(pg_catalog.=) 'attempt_lock'::pg_catalog.name",
    );
    let Ok((Some(ext), Some(schema))) = found else {
        pgrx::error!("attempt_lock: the extension is not installed in this database")
    };
    if !FORGETS.get() {
        // SAFETY: registered once per backend; the callback only resets a cell.
        unsafe { pg_sys::CacheRegisterRelcacheCallback(Some(forget_extension), pg_sys::Datum::from(0)) };
        FORGETS.set(true);
    }
    EXTENSION.set(Some((ext, schema)));
    (ext, schema)
}

/// A relation's OID by schema and name; InvalidOid when there is none.
///
/// # Safety
/// Called in a backend, inside a transaction.
unsafe fn relation(schema: pg_sys::Oid, name: &CStr) -> pg_sys::Oid {
    // SAFETY: syscache lookups.
    unsafe { pg_sys::get_relname_relid(name.as_ptr(), schema) }
}

/// Whether attempt_lock_config names `source` as the attached source, read under the
/// statement's snapshot (as the trigger's own query would).
///
/// # Safety
/// Called in a trigger, with an active snapshot.
unsafe fn attached_source(schema: pg_sys::Oid, source: pg_sys::Oid) -> bool {
    // SAFETY: the extension's table, opened, scanned and closed here; its columns by name.
    unsafe {
        let config = relation(schema, c"attempt_lock_config");
        if config == pg_sys::InvalidOid {
            return false;
        }
        let (attached, source_table) =
            (pg_sys::get_attnum(config, c"attached".as_ptr()), pg_sys::get_attnum(config, c"source_table".as_ptr()));
        if attached == pg_sys::InvalidAttrNumber as i16 || source_table == pg_sys::InvalidAttrNumber as i16 {
            return false;
        }
        let rel = pg_sys::table_open(config, pg_sys::AccessShareLock as pg_sys::LOCKMODE);
        let desc = (*rel).rd_att;
        let scan = pg_sys::table_beginscan(rel, pg_sys::GetActiveSnapshot(), 0, std::ptr::null_mut());
        let mut found = false;
        loop {
            let tuple = pg_sys::heap_getnext(scan, pg_sys::ScanDirection::ForwardScanDirection);
            if tuple.is_null() {
                break;
            }
            let (mut null_a, mut null_s) = (false, false);
            let a = pg_sys::heap_getattr(tuple, attached.into(), desc, &mut null_a);
            let s = pg_sys::heap_getattr(tuple, source_table.into(), desc, &mut null_s);
            if !null_a && a.value() != 0 && !null_s && pg_sys::Oid::from(s.value() as u32) == source {
                found = true;
            }
        }
        pg_sys::table_endscan(scan);
        pg_sys::table_close(rel, pg_sys::AccessShareLock as pg_sys::LOCKMODE);
        found
    }
}

/// Whether this call is one of the switch's own triggers, and the store's schema while
/// the store is on.
///
/// # Safety
/// `fcinfo` is a trigger call; called inside an SPI connection.
unsafe fn identify(fcinfo: pg_sys::FunctionCallInfo, function: &'static str) -> (*mut pg_sys::TriggerData, Option<pg_sys::Oid>) {
    // SAFETY: the call's context, checked to be TriggerData before it is read as one.
    unsafe {
        let context = (*fcinfo).context;
        if context.is_null() || (*context).type_ != pg_sys::NodeTag::T_TriggerData {
            AttemptLockError::NotTrigger { function }.report(None);
        }
        let data = context.cast::<pg_sys::TriggerData>();
        let trigger = &*(*data).tg_trigger;
        let event = (*data).tg_event;
        let relid = (*(*data).tg_relation).rd_id;
        let name = CStr::from_ptr(trigger.tgname);
        // The names are looked up only for the error.
        let refuse = || -> ! {
            let table = pg_sys::get_rel_name(relid);
            let table =
                if table.is_null() { relid.to_u32().to_string() } else { CStr::from_ptr(table).to_string_lossy().into_owned() };
            AttemptLockError::ForeignTrigger { function, trigger: name.to_string_lossy().into_owned(), table }.report(None)
        };
        let shape_ok = event & pg_sys::TRIGGER_EVENT_TIMINGMASK == pg_sys::TRIGGER_EVENT_AFTER
            && event & pg_sys::TRIGGER_EVENT_ROW == 0
            && name.to_bytes() == trigger_name(event).as_bytes()
            && trigger.tgfoid == (*(*fcinfo).flinfo).fn_oid;
        if !shape_ok {
            refuse();
        }
        // Read natively (catalog caches, one scan of a one-row table): this runs for every
        // write of the source.
        let store = pg_sys::get_namespace_oid(c"attempt_lock_store".as_ptr(), true);
        if store == pg_sys::InvalidOid || relation(store, c"attempt_store") == pg_sys::InvalidOid {
            // The store is off: nothing is written, whichever table fires it. A restore
            // brings the triggers back before the row of attempt_lock_config that names
            // their table as the source (pg_restore --schema-only, then --data-only), and
            // the source's rows must load meanwhile; attempt_health() names such triggers.
            return (data, None);
        }
        let (ext, schema) = extension();
        let depends = pg_sys::list_member_oid(pg_sys::getAutoExtensionsOfObject(pg_sys::TriggerRelationId, trigger.tgoid), ext);
        if !(depends && attached_source(schema, relid)) {
            refuse();
        }
        (data, Some(store))
    }
}

/// Runs `f` in a memory context of its own, reset afterwards: the datums of one write.
///
/// # Safety
/// Called in a backend.
unsafe fn scratch<R>(context: pg_sys::MemoryContext, f: impl FnOnce() -> R) -> R {
    // SAFETY: a child context of the caller's, reset after the call.
    unsafe {
        let old = pg_sys::MemoryContextSwitchTo(context);
        let r = f();
        pg_sys::MemoryContextSwitchTo(old);
        pg_sys::MemoryContextReset(context);
        r
    }
}

/// Writes the new results of some students and renumbers those whose history changed
/// (`removed`: the old versions of their results, which leave the store; or a new
/// result not completed after the others), then saves each student's tally. `students` are
/// locked already (their state as locked).
///
/// # Safety
/// Inside an SPI connection, the store on.
unsafe fn write_students(
    layout: &SourceLayout,
    tables: &write::Tables,
    mut students: std::collections::HashMap<[u8; 16], write::Student>,
    news: BTreeMap<[u8; 16], Vec<SourceResult>>,
    removed: BTreeMap<[u8; 16], Vec<SourceResult>>,
    context: pg_sys::MemoryContext,
) -> i64 {
    let mut stored = 0i64;
    let mut pending: BTreeMap<[u8; 16], Vec<SourceResult>> = BTreeMap::new();
    for (student, mut results) in news {
        results.sort_by(|a, b| a.place.cmp(&b.place));
        let state = students.get_mut(&student).expect("every student written is locked");
        let appends = !removed.contains_key(&student)
            && state.tally.is_some()
            && state.last_completed_at.is_none_or(|last| results[0].place.completed_at > last);
        if !appends {
            pending.insert(student, results);
            continue;
        }
        let row = state.row();
        let tally = state.tally.as_mut().expect("checked above");
        for r in &results {
            let numbers = tally.number(&r.items());
            stored += numbers.len() as i64;
            // SAFETY: inside the caller's SPI connection.
            unsafe { scratch(context, || write::insert(layout, tables, r, &numbers)) };
        }
        let last = results.last().map(|r| r.place.completed_at);
        // SAFETY: as above.
        unsafe { scratch(context, || write::save_student(layout, tables, &student, row, last, tally)) };
    }
    let dirty: BTreeSet<[u8; 16]> = removed.keys().chain(pending.keys()).copied().collect();
    for student in dirty {
        let state = &students[&student];
        let new = pending.remove(&student).unwrap_or_default();
        let gone = removed.get(&student).map(Vec::as_slice).unwrap_or_default();
        // SAFETY: as above.
        if let Some(n) = unsafe { rewrite_in_place(layout, tables, &student, state, &new, gone, context) } {
            stored += n;
            continue;
        }
        // Only what comes after the earliest change is read and numbered again, from the
        // tally of what comes before it (the student's tally less what follows); without a
        // tally, the whole history.
        let first = gone.iter().map(|r| &r.place).chain(new.iter().map(|r| &r.place)).min().cloned();
        let from = state.tally.as_ref().and(first.as_ref());
        // SAFETY: as above.
        let read: Vec<write::Existing> = unsafe { write::existing(layout, &student, from.map(|p| p.completed_at), None) }
            .into_iter()
            .filter(|h| from.is_none_or(|f| h.place >= *f))
            .collect();
        let (left, held): (Vec<write::Existing>, Vec<write::Existing>) =
            read.into_iter().partition(|h| gone.iter().any(|r| r.place == h.place));
        let mut base = match from {
            Some(_) => state.tally.clone().expect("checked above"),
            None => numbering::Tally::default(),
        };
        for h in &left {
            // SAFETY: as above.
            unsafe { scratch(context, || write::remove(layout, tables, h)) };
            base.remove(&h.items);
        }
        if from.is_some() {
            for h in &held {
                base.remove(&h.items);
            }
        }
        let items: Vec<Vec<i64>> = new.iter().map(SourceResult::items).collect();
        let end: Vec<(Place, &[i64])> = held
            .iter()
            .map(|h| (h.place.clone(), h.items.as_slice()))
            .chain(new.iter().zip(&items).map(|(n, i)| (n.place.clone(), i.as_slice())))
            .collect();
        let (numbers, tally) = renumber_after(base, &end);
        // SAFETY: as above.
        unsafe {
            for (h, n) in held.iter().zip(&numbers) {
                if h.answers.iter().map(|&a| numbering::attempt_no(a)).ne(n.iter().copied()) {
                    scratch(context, || write::renumber(layout, tables, h, n));
                }
            }
            for (r, n) in new.iter().zip(&numbers[held.len()..]) {
                stored += n.len() as i64;
                scratch(context, || write::insert(layout, tables, r, n));
            }
            // The latest completion: of what was read, or (everything read removed) the
            // one held before, which is never earlier; an append checks against it.
            let last = end.iter().map(|(p, _)| p.completed_at).max().or(state.last_completed_at);
            scratch(context, || write::save_student(layout, tables, &student, state.row(), last, &tally));
        }
    }
    stored
}

/// A change that keeps each changed result's place and items (a regrade: an UPDATE of
/// result_json's answers): no attempt_no changes, so only the results' own rows are
/// rewritten, with the numbers they had, and nothing after them is read. The number of
/// answers written, or None when the change is not of that kind (then the caller
/// renumbers).
///
/// # Safety
/// As for [`write_students`].
unsafe fn rewrite_in_place(
    layout: &SourceLayout,
    tables: &write::Tables,
    student: &[u8; 16],
    state: &write::Student,
    new: &[SourceResult],
    gone: &[SourceResult],
    context: pg_sys::MemoryContext,
) -> Option<i64> {
    let tally = state.tally.as_ref()?;
    let mut gone: Vec<&Place> = gone.iter().map(|r| &r.place).collect();
    gone.sort();
    // `new` is in place order already.
    if gone.is_empty() || gone.windows(2).any(|w| w[0] == w[1]) || !gone.iter().copied().eq(new.iter().map(|r| &r.place)) {
        return None;
    }
    let mut rewrites = Vec::with_capacity(new.len());
    for r in new {
        let t = r.place.completed_at;
        // SAFETY: inside the caller's SPI connection.
        let mut held: Vec<write::Existing> =
            unsafe { write::existing(layout, student, Some(t), Some(t)) }.into_iter().filter(|h| h.place == r.place).collect();
        let old = held.pop().filter(|_| held.is_empty())?;
        let items = r.items();
        let mut sorted = (items.clone(), old.items.clone());
        sorted.0.sort_unstable();
        sorted.1.sort_unstable();
        if sorted.0 != sorted.1 {
            return None;
        }
        let numbers: Vec<i32> = items
            .iter()
            .map(|item| {
                let i = old.items.iter().position(|x| x == item).expect("the same items");
                numbering::attempt_no(old.answers[i])
            })
            .collect();
        rewrites.push((old, r, numbers));
    }
    let mut stored = 0;
    // SAFETY: as above.
    unsafe {
        for (old, r, numbers) in &rewrites {
            stored += numbers.len() as i64;
            scratch(context, || write::replace(layout, tables, old, r, numbers));
        }
        // The tally and latest completion stay; the save is the student's new version,
        // which a concurrent REPEATABLE READ writer's lock fails on (40001).
        scratch(context, || write::save_student(layout, tables, student, state.row(), state.last_completed_at, tally));
    }
    Some(stored)
}

/// A memory context for [`scratch`], child of the current one.
///
/// # Safety
/// Called in a backend.
unsafe fn scratch_context() -> pg_sys::MemoryContext {
    // SAFETY: a small child of the current context, freed with it.
    unsafe {
        pg_sys::AllocSetContextCreateExtended(
            pg_sys::CurrentMemoryContext,
            c"attempt_lock store write".as_ptr(),
            pg_sys::ALLOCSET_SMALL_MINSIZE as usize,
            pg_sys::ALLOCSET_SMALL_INITSIZE as usize,
            pg_sys::ALLOCSET_SMALL_MAXSIZE as usize,
        )
    }
}

v1_info!(pg_finfo_attempt_store_sync);
/// `attempt_store_sync()`: the store's trigger for INSERT, UPDATE and DELETE on the source.
///
/// # Safety
/// Called by PostgreSQL's trigger manager.
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn attempt_store_sync(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    // SAFETY: a trigger call; SPI connected for its statements and closed at the end (an
    // error aborts the transaction, which closes it too).
    unsafe {
        if pg_sys::SPI_connect() < 0 {
            pgrx::error!("attempt_lock: attempt_store_sync() could not connect to SPI");
        }
        let (data, store) = identify(fcinfo, "attempt_store_sync()");
        // Triggers restored from a dump before their store exists (the switch rebuilds it
        // from the source once all four are back): nothing to keep yet.
        if let Some(store) = store {
            let desc = (*(*data).tg_relation).rd_att;
            let layout = SourceLayout::of(desc)
                .unwrap_or_else(|e| pgrx::error!("attempt_lock: the source no longer keeps the contract: {e}"));
            let (mut olds, mut news) = (Vec::new(), Vec::new());
            each_row((*data).tg_oldtable, desc, |get| olds.extend(layout.read(get, false)));
            each_row((*data).tg_newtable, desc, |get| news.extend(layout.read(get, true)));
            if !olds.is_empty() || !news.is_empty() {
                let students: Vec<[u8; 16]> = olds
                    .iter()
                    .chain(&news)
                    .map(|r| r.student)
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let tables = write::Tables::open(&layout, store);
                let locked = write::lock_students(&layout, &tables, &students, true);
                let context = scratch_context();
                let mut removed: BTreeMap<[u8; 16], Vec<SourceResult>> = BTreeMap::new();
                for old in olds {
                    removed.entry(old.student).or_default().push(old);
                }
                let mut by_student: BTreeMap<[u8; 16], Vec<SourceResult>> = BTreeMap::new();
                for n in news {
                    by_student.entry(n.student).or_default().push(n);
                }
                write_students(&layout, &tables, locked, by_student, removed, context);
                tables.close();
            }
        }
        pg_sys::SPI_finish();
        pg_sys::Datum::from(0)
    }
}

v1_info!(pg_finfo_attempt_store_truncate);
/// `attempt_store_truncate()`: the store's trigger for TRUNCATE of the source.
///
/// # Safety
/// Called by PostgreSQL's trigger manager.
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn attempt_store_truncate(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    // SAFETY: as for attempt_store_sync.
    unsafe {
        if pg_sys::SPI_connect() < 0 {
            pgrx::error!("attempt_lock: attempt_store_truncate() could not connect to SPI");
        }
        let (_, store) = identify(fcinfo, "attempt_store_truncate()");
        if store.is_some() {
            Spi::run("TRUNCATE attempt_lock_store.attempt_store, attempt_lock_store.attempt_store_students")
                .unwrap_or_else(|e| pgrx::error!("attempt_lock: the store could not be emptied: {e}"));
        }
        pg_sys::SPI_finish();
        pg_sys::Datum::from(0)
    }
}

v1_info!(pg_finfo_attempt_store_fill);
/// `attempt_store_fill(source regclass, batch_size int4)`: the switch's backfill: every
/// result of the source, read in student order through a cursor (batch_size rows at a
/// time), numbered and written as the trigger would; the attempts stored. NOTICEs report
/// progress. The store's tables must be empty and the source locked against writers.
///
/// # Safety
/// Called by PostgreSQL's function manager.
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn attempt_store_fill(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    // SAFETY: the declared arguments; SPI connected for the call.
    unsafe {
        let (Some(source), Some(batch)) = (arg(fcinfo, 0), arg(fcinfo, 1)) else {
            pgrx::error!("attempt_lock: attempt_store_fill() needs a source and a batch size");
        };
        let batch = (batch.value() as i32).max(1);
        if pg_sys::SPI_connect() < 0 {
            pgrx::error!("attempt_lock: attempt_store_fill() could not connect to SPI");
        }
        let (_, schema) = extension();
        let schema = pgrx::spi::quote_identifier(CStr::from_ptr(pg_sys::get_namespace_name(schema)).to_string_lossy());
        let source = pg_sys::Oid::from(source.value() as u32);
        let query = std::ffi::CString::new(format!(
            "SELECT er.id, er.user_id, er.session_id, er.created_at, er.updated_at, er.result_json
               FROM {} AS er ORDER BY {schema}.attempt_student_uuid(er.user_id::pg_catalog.text)",
            pgrx::spi::quote_qualified_identifier(
                CStr::from_ptr(pg_sys::get_namespace_name(pg_sys::get_rel_namespace(source))).to_string_lossy(),
                CStr::from_ptr(pg_sys::get_rel_name(source)).to_string_lossy(),
            )
        ))
        .expect("no NUL");
        let plan = pg_sys::SPI_prepare(query.as_ptr(), 0, std::ptr::null_mut());
        let portal = pg_sys::SPI_cursor_open(std::ptr::null(), plan, std::ptr::null_mut(), std::ptr::null(), true);
        let context = scratch_context();
        let started = std::time::Instant::now();
        let (mut results_read, mut stored) = (0i64, 0i64);
        let mut current: Option<([u8; 16], Vec<SourceResult>)> = None;
        let mut layout: Option<SourceLayout> = None;
        let mut tables: Option<write::Tables> = None;
        loop {
            pg_sys::SPI_cursor_fetch(portal, true, i64::from(batch));
            let n = pg_sys::SPI_processed;
            if n == 0 {
                break;
            }
            let table = pg_sys::SPI_tuptable;
            let desc = (*table).tupdesc;
            let l = *layout.get_or_insert_with(|| {
                SourceLayout::of(desc).unwrap_or_else(|e| pgrx::error!("attempt_lock: the source does not keep the contract: {e}"))
            });
            let tables = tables.get_or_insert_with(|| {
                write::Tables::open(&l, pg_sys::get_namespace_oid(c"attempt_lock_store".as_ptr(), false))
            });
            let mut rows = Vec::with_capacity(n as usize);
            for i in 0..n as usize {
                let tuple = *(*table).vals.add(i);
                let get = |attnum| {
                    let mut isnull = false;
                    let d = pg_sys::SPI_getbinval(tuple, desc, attnum, &mut isnull);
                    (!isnull).then_some(d)
                };
                rows.extend(l.read(get, true));
            }
            results_read += n as i64;
            pg_sys::SPI_freetuptable(table);
            for r in rows {
                if current.as_ref().is_some_and(|(s, _)| *s != r.student) {
                    let (student, results) = current.take().expect("checked");
                    stored += fill_student(&l, tables, student, results, context);
                }
                current.get_or_insert_with(|| (r.student, Vec::new())).1.push(r);
            }
            pgrx::notice!(
                "attempt_store_enable: stored {results_read} results ({stored} attempts), {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        if let (Some((student, results)), Some(l), Some(tables)) = (current, layout, tables.as_ref()) {
            stored += fill_student(&l, tables, student, results, context);
        }
        if let Some(tables) = tables {
            tables.close();
        }
        pg_sys::SPI_cursor_close(portal);
        pg_sys::SPI_finish();
        pg_sys::Datum::from(stored)
    }
}

/// One student's results, numbered and written; the attempts stored.
///
/// # Safety
/// Inside an SPI connection, the store on.
unsafe fn fill_student(
    layout: &SourceLayout,
    tables: &write::Tables,
    student: [u8; 16],
    results: Vec<SourceResult>,
    context: pg_sys::MemoryContext,
) -> i64 {
    // SAFETY: the caller's SPI connection.
    unsafe {
        let locked = write::lock_students(layout, tables, &[student], false);
        write_students(layout, tables, locked, BTreeMap::from([(student, results)]), BTreeMap::new(), context)
    }
}
