//! The store's reads and writes: a few SQL statements, each prepared once per backend (and
//! per source id type) and kept, executed through SPI with native datums; the writes go
//! directly to the heap instead (src/store/heap.rs) where the tables allow. The store's
//! tables live in the schema attempt_lock_store (src/store/mod.rs has their layout).

use super::heap::Table;
use super::numbering::{pack, renumbered, IdKey, Place, Tally};
use super::source::{IdKind, SourceLayout, SourceResult};
use crate::hash::attempt_id_item;
use pgrx::pg_sys;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::CString;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Statement {
    AddStudents,
    LockStudents,
    Delete,
    Existing,
    Insert,
    Renumber,
    SaveStudent,
}

/// A statement's text and parameter types; InvalidOid stands for the source id's type.
fn sql(statement: Statement) -> (String, Vec<pg_sys::Oid>) {
    use pg_sys::*;
    const STORE: &str = "attempt_lock_store.attempt_store";
    const STUDENTS: &str = "attempt_lock_store.attempt_store_students";
    match statement {
        // In student order: every writer of a student serializes on its row, in the same
        // order (no deadlock), and a REPEATABLE READ writer that missed a concurrent one
        // fails with 40001 instead of numbering past it.
        // New students get their row first (waiting for a concurrent insert of the same
        // one; in REPEATABLE READ, a conflict with a row the snapshot cannot see is 40001).
        Statement::AddStudents => (
            format!(
                "INSERT INTO {STUDENTS} (student_id)
                 SELECT s.id FROM pg_catalog.unnest($1::pg_catalog.uuid[]) AS s(id) ORDER BY 1
                 ON CONFLICT (student_id) DO NOTHING"
            ),
            vec![UUIDARRAYOID],
        ),
        // Locked without writing them: the one write is SaveStudent's.
        Statement::LockStudents => (
            format!(
                "SELECT h.student_id, h.last_completed_at, h.tally, h.ctid, h.version FROM {STUDENTS} AS h
                  WHERE h.student_id OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.uuid[])
                  ORDER BY h.student_id FOR UPDATE"
            ),
            vec![UUIDARRAYOID],
        ),
        Statement::Delete => (
            format!(
                "DELETE FROM {STORE} WHERE ctid OPERATOR(pg_catalog.=) $1"
            ),
            vec![TIDOID],
        ),
        // completed_at between $2 and $3: ±infinity (i64::MIN, i64::MAX) for no bound.
        Statement::Existing => (
            format!(
                "SELECT s.ctid, s.exam_result_id, s.student_id, s.completed_at, s.session_id, s.attempt_ids,
                        s.item_ids, s.answers, s.topic_ids
                   FROM {STORE} AS s
                  WHERE s.student_id OPERATOR(pg_catalog.=) $1
                    AND s.completed_at OPERATOR(pg_catalog.>=) $2 AND s.completed_at OPERATOR(pg_catalog.<=) $3"
            ),
            vec![UUIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID],
        ),
        Statement::Insert => (
            format!(
                "INSERT INTO {STORE} (exam_result_id, student_id, completed_at, session_id, attempt_ids,
                        item_ids, answers, topic_ids)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ),
            vec![InvalidOid, UUIDOID, TIMESTAMPTZOID, TEXTOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID],
        ),
        Statement::Renumber => (
            format!("UPDATE {STORE} SET answers = $2 WHERE ctid OPERATOR(pg_catalog.=) $1"),
            vec![TIDOID, INT8ARRAYOID],
        ),
        Statement::SaveStudent => (
            format!(
                "UPDATE {STUDENTS} SET last_completed_at = $2, tally = $3,
                        version = version OPERATOR(pg_catalog.+) 1, synced_at = pg_catalog.statement_timestamp()
                  WHERE student_id OPERATOR(pg_catalog.=) $1"
            ),
            vec![UUIDOID, TIMESTAMPTZOID, BYTEAOID],
        ),
    }
}

thread_local! {
    /// Saved plans (SPI_keepplan): the plan cache re-plans them when the store is rebuilt.
    static PLANS: RefCell<HashMap<(Statement, pg_sys::Oid), pg_sys::SPIPlanPtr>> = RefCell::new(HashMap::new());
}

/// A nullable datum for a statement's parameter.
type Param = Option<pg_sys::Datum>;

/// Runs a statement; its rows are then in SPI_tuptable.
///
/// # Safety
/// Inside an SPI connection; `params` match the statement's types.
unsafe fn run(statement: Statement, layout: &SourceLayout, params: &[Param]) -> u64 {
    let plan = PLANS.with(|plans| {
        *plans.borrow_mut().entry((statement, layout.id_type)).or_insert_with(|| {
            let (text, mut types) = sql(statement);
            for t in &mut types {
                if *t == pg_sys::InvalidOid {
                    *t = layout.id_type;
                }
            }
            let text = CString::new(text).expect("no NUL in the store's statements");
            // SAFETY: a statement with these parameter types, kept across transactions. A
            // generic plan: a custom one would be planned again at every execution, and
            // every statement here is a lookup by key, the same plan whatever the values.
            unsafe {
                let plan = pg_sys::SPI_prepare_cursor(
                    text.as_ptr(),
                    types.len() as i32,
                    types.as_mut_ptr(),
                    pg_sys::CURSOR_OPT_GENERIC_PLAN as i32,
                );
                if plan.is_null() {
                    pgrx::error!("attempt_lock: the store's {statement:?} statement could not be prepared");
                }
                pg_sys::SPI_keepplan(plan);
                plan
            }
        })
    });
    let mut values: Vec<pg_sys::Datum> = params.iter().map(|p| p.unwrap_or(pg_sys::Datum::from(0))).collect();
    let nulls: Vec<std::ffi::c_char> = params.iter().map(|p| if p.is_some() { b' ' } else { b'n' } as std::ffi::c_char).collect();
    // SAFETY: a kept plan with params.len() parameters.
    let status = unsafe { pg_sys::SPI_execute_plan(plan, values.as_mut_ptr(), nulls.as_ptr(), false, 0) };
    if status < 0 {
        pgrx::error!("attempt_lock: the store's {statement:?} statement failed (SPI status {status})");
    }
    // SAFETY: set by the execution just done.
    unsafe { pg_sys::SPI_processed }
}

/// Column `n` (1-based) of row `i` of the last result.
///
/// # Safety
/// After a statement that returned rows, `i` < SPI_processed.
unsafe fn column(i: u64, n: i32) -> Option<pg_sys::Datum> {
    // SAFETY: the tuple table of the last statement.
    unsafe {
        let table = pg_sys::SPI_tuptable;
        let tuple = *(*table).vals.add(i as usize);
        let mut isnull = false;
        let d = pg_sys::SPI_getbinval(tuple, (*table).tupdesc, n, &mut isnull);
        (!isnull).then_some(d)
    }
}

/// A one-dimensional array of fixed-size values, e.g. int8[] or int4[].
///
/// # Safety
/// A datum of an array of `T`s of type `elem`, without NULLs.
unsafe fn read_array<T: Copy>(datum: pg_sys::Datum, elem: pg_sys::Oid, len: i16, byval: bool, align: u8) -> Vec<T> {
    // SAFETY: deconstruct_array reads the array and allocates its output in the current
    // memory context; by-value elements are the datums themselves.
    unsafe {
        let array = pg_sys::pg_detoast_datum(datum.cast_mut_ptr()).cast::<pg_sys::ArrayType>();
        let mut elems: *mut pg_sys::Datum = std::ptr::null_mut();
        let mut n = 0;
        pg_sys::deconstruct_array(array, elem, len as i32, byval, align as std::ffi::c_char, &mut elems, std::ptr::null_mut(), &mut n);
        (0..n as usize)
            .map(|i| {
                let d = *elems.add(i);
                if byval {
                    std::mem::transmute_copy::<usize, T>(&d.value())
                } else {
                    *d.cast_mut_ptr::<T>()
                }
            })
            .collect()
    }
}

/// # Safety
/// Called in a backend, with a current memory context.
unsafe fn array_of<T: Copy + Into<pg_sys::Datum>>(values: &[T], elem: pg_sys::Oid, len: i16, align: u8) -> pg_sys::Datum {
    let mut datums: Vec<pg_sys::Datum> = values.iter().map(|&v| v.into()).collect();
    // SAFETY: values.len() by-value datums of the element type.
    pg_sys::Datum::from(unsafe {
        pg_sys::construct_array(datums.as_mut_ptr(), datums.len() as i32, elem, len as i32, true, align as std::ffi::c_char)
    })
}

/// text[] with NULLs.
///
/// # Safety
/// As for [`array_of`].
unsafe fn text_array(values: &[Option<&[u8]>]) -> pg_sys::Datum {
    // SAFETY: text datums made here, NULL flags beside them, one dimension.
    unsafe {
        let mut datums: Vec<pg_sys::Datum> = values
            .iter()
            .map(|v| match v {
                Some(b) => pg_sys::Datum::from(pg_sys::cstring_to_text_with_len(b.as_ptr().cast(), b.len() as i32)),
                None => pg_sys::Datum::from(0),
            })
            .collect();
        let mut nulls: Vec<bool> = values.iter().map(Option::is_none).collect();
        let mut dims = [values.len() as i32];
        let mut lbs = [1];
        pg_sys::Datum::from(pg_sys::construct_md_array(
            datums.as_mut_ptr(),
            nulls.as_mut_ptr(),
            1,
            dims.as_mut_ptr(),
            lbs.as_mut_ptr(),
            pg_sys::TEXTOID,
            -1,
            false,
            b'i' as std::ffi::c_char,
        ))
    }
}

/// The bytes of a bytea datum, detoasted in the current memory context if need be.
///
/// # Safety
/// A bytea datum valid for the call.
unsafe fn bytea_bytes<'a>(datum: pg_sys::Datum) -> &'a [u8] {
    // SAFETY: bytea and text share the varlena layout.
    unsafe { super::source::text_bytes(datum) }
}

/// A uuid datum.
///
/// # Safety
/// As for [`array_of`].
unsafe fn uuid_datum(bytes: &[u8; 16]) -> pg_sys::Datum {
    // SAFETY: 16 fresh bytes.
    unsafe {
        let p = pg_sys::palloc(16).cast::<[u8; 16]>();
        p.write(*bytes);
        pg_sys::Datum::from(p)
    }
}

/// The id as a datum of the source id's type.
///
/// # Safety
/// As for [`array_of`].
unsafe fn id_datum(key: &IdKey, kind: IdKind) -> pg_sys::Datum {
    // SAFETY: a datum of the kind's type.
    unsafe {
        match (key, kind) {
            (IdKey::Uuid(b), _) => uuid_datum(b),
            (IdKey::Int(i), IdKind::Int4) => pg_sys::Datum::from(*i as i32),
            (IdKey::Int(i), _) => pg_sys::Datum::from(*i),
            (IdKey::Text(b), _) => pg_sys::Datum::from(pg_sys::cstring_to_text_with_len(b.as_ptr().cast(), b.len() as i32)),
        }
    }
}

/// A student's state in the store, as its row holds it.
pub struct Student {
    pub last_completed_at: Option<i64>,
    pub tally: Option<Tally>,
    /// Where the locked row is, and its version.
    row: (pg_sys::ItemPointerData, i64),
}

impl Student {
    pub fn row(&self) -> (pg_sys::ItemPointerData, i64) {
        self.row
    }
}

/// The store's tables opened for direct writes (src/store/heap.rs) for one trigger call
/// or one backfill; a table that cannot be written directly is written through SPI.
pub struct Tables {
    store: Option<Table>,
    students: Option<Table>,
}

impl Tables {
    /// The tables in `schema`, the store's.
    ///
    /// # Safety
    /// Called in a backend, inside a transaction, the store on.
    pub unsafe fn open(layout: &SourceLayout, schema: pg_sys::Oid) -> Tables {
        use pg_sys::*;
        // SAFETY: catalog lookups by name; heap.rs checks what it opens.
        unsafe {
            Tables {
                store: Table::open(
                    get_relname_relid(c"attempt_store".as_ptr(), schema),
                    &[
                        (c"exam_result_id", layout.id_type),
                        (c"student_id", UUIDOID),
                        (c"completed_at", TIMESTAMPTZOID),
                        (c"session_id", TEXTOID),
                        (c"attempt_ids", INT8ARRAYOID),
                        (c"item_ids", INT8ARRAYOID),
                        (c"answers", INT8ARRAYOID),
                        (c"topic_ids", TEXTARRAYOID),
                    ],
                ),
                students: Table::open(
                    get_relname_relid(c"attempt_store_students".as_ptr(), schema),
                    &[
                        (c"student_id", UUIDOID),
                        (c"version", INT8OID),
                        (c"synced_at", TIMESTAMPTZOID),
                        (c"last_completed_at", TIMESTAMPTZOID),
                        (c"tally", BYTEAOID),
                    ],
                ),
            }
        }
    }

    /// # Safety
    /// Opened by [`Tables::open`], not used afterwards.
    pub unsafe fn close(self) {
        // SAFETY: each table opened once.
        unsafe {
            for table in [self.store, self.students].into_iter().flatten() {
                table.close();
            }
        }
    }
}

/// Locks the students' rows (creating them), in order; their state. `known` when the
/// store may already hold the students (not in the backfill, which starts empty).
///
/// # Safety
/// Inside an SPI connection, the store on.
pub unsafe fn lock_students(
    layout: &SourceLayout,
    tables: &Tables,
    students: &[[u8; 16]],
    known: bool,
) -> HashMap<[u8; 16], Student> {
    // SAFETY: a uuid[] parameter; the rows it returns.
    unsafe {
        // One student already held (the usual write) needs only its lock, taken directly
        // where the table allows. With several, locking the held ones before adding the
        // others would break the order.
        if let (true, [student], Some(table)) = (known, students, tables.students.as_ref().filter(|t| t.can_lock())) {
            if let Some(slot) = table.lock(uuid_datum(student)) {
                let get = |n: i32| {
                    let mut null = false;
                    let d = pg_sys::slot_getattr(slot, n, &mut null);
                    (!null).then_some(d)
                };
                let tally = get(5).and_then(|t| Tally::from_bytes(bytea_bytes(t)));
                let state = Student {
                    last_completed_at: get(4).map(|d| d.value() as i64),
                    tally,
                    row: ((*slot).tts_tid, get(2).expect("version is never NULL").value() as i64),
                };
                return HashMap::from([(*student, state)]);
            }
        }
        let ids: Vec<pg_sys::Datum> = students.iter().map(|s| uuid_datum(s)).collect();
        let array = {
            let mut ids = ids;
            pg_sys::Datum::from(pg_sys::construct_array(ids.as_mut_ptr(), ids.len() as i32, pg_sys::UUIDOID, 16, false, b'c' as std::ffi::c_char))
        };
        let mut n = if known && students.len() == 1 && tables.students.as_ref().is_none_or(|t| !t.can_lock()) {
            run(Statement::LockStudents, layout, &[Some(array)])
        } else {
            0
        };
        if n < students.len() as u64 {
            run(Statement::AddStudents, layout, &[Some(array)]);
            n = run(Statement::LockStudents, layout, &[Some(array)]);
        }
        (0..n)
            .map(|i| {
                let student = *column(i, 1).expect("student_id is never NULL").cast_mut_ptr::<[u8; 16]>();
                let last = column(i, 2).map(|d| d.value() as i64);
                let tally = column(i, 3).and_then(|t| Tally::from_bytes(bytea_bytes(t)));
                let ctid = *column(i, 4).expect("ctid").cast_mut_ptr::<pg_sys::ItemPointerData>();
                let version = column(i, 5).expect("version is never NULL").value() as i64;
                (student, Student { last_completed_at: last, tally, row: (ctid, version) })
            })
            .collect()
    }
}

/// A result the store holds for a student.
pub struct Existing {
    ctid: pg_sys::ItemPointerData,
    /// The row's columns as read (attempt_store's order), for a direct rewrite.
    row: Vec<Param>,
    pub place: Place,
    pub items: Vec<i64>,
    /// Packed (numbering::pack), attempt numbers included.
    pub answers: Vec<i64>,
}

/// The results the store holds for a student completed from `from` to `to` (inclusive;
/// None for no bound).
///
/// # Safety
/// As for [`lock_students`].
pub unsafe fn existing(layout: &SourceLayout, student: &[u8; 16], from: Option<i64>, to: Option<i64>) -> Vec<Existing> {
    // SAFETY: a uuid parameter and two timestamptz; the rows it returns, of the store's
    // column types.
    unsafe {
        let (from, to) = (from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX));
        let n = run(
            Statement::Existing,
            layout,
            &[Some(uuid_datum(student)), Some(pg_sys::Datum::from(from)), Some(pg_sys::Datum::from(to))],
        );
        (0..n)
            .map(|i| {
                let id = column(i, 2).expect("exam_result_id is never NULL");
                let key = match layout.id_kind {
                    IdKind::Uuid => IdKey::Uuid(*id.cast_mut_ptr::<[u8; 16]>()),
                    IdKind::Int8 => IdKey::Int(id.value() as i64),
                    IdKind::Int4 => IdKey::Int(i64::from(id.value() as i32)),
                    IdKind::Text => IdKey::Text(super::source::text_bytes(id).to_vec()),
                };
                Existing {
                    ctid: *column(i, 1).expect("ctid").cast_mut_ptr::<pg_sys::ItemPointerData>(),
                    row: (2..=9).map(|n| column(i, n)).collect(),
                    place: Place { completed_at: column(i, 4).expect("completed_at").value() as i64, id: key },
                    items: read_array::<i64>(column(i, 7).expect("item_ids"), pg_sys::INT8OID, 8, true, b'd'),
                    answers: read_array::<i64>(column(i, 8).expect("answers"), pg_sys::INT8OID, 8, true, b'd'),
                }
            })
            .collect()
    }
}

/// A result's row in the store, with its numbers.
///
/// # Safety
/// Called in a backend, with a current memory context.
unsafe fn result_row(layout: &SourceLayout, result: &SourceResult, numbers: &[i32]) -> [Param; 8] {
    let rows = &result.rows.rows;
    let ids: Vec<i64> = rows.iter().map(|r| attempt_id_item(&result.id_text, r.item_id)).collect();
    let items: Vec<i64> = rows.iter().map(|r| r.item_id).collect();
    let answers: Vec<i64> =
        rows.iter().zip(numbers).map(|(r, &n)| pack(r.correct, r.hint_used, n, r.response_time_ms)).collect();
    let topics: Vec<Option<&[u8]>> = rows.iter().map(|r| result.rows.topic(r)).collect();
    // SAFETY: datums of the table's column types, made in the current memory context.
    unsafe {
        [
            Some(id_datum(&result.place.id, layout.id_kind)),
            Some(uuid_datum(&result.student)),
            Some(pg_sys::Datum::from(result.place.completed_at)),
            result
                .session_id
                .as_ref()
                .map(|s| pg_sys::Datum::from(pg_sys::cstring_to_text_with_len(s.as_ptr().cast(), s.len() as i32))),
            Some(array_of(&ids, pg_sys::INT8OID, 8, b'd')),
            Some(array_of(&items, pg_sys::INT8OID, 8, b'd')),
            Some(array_of(&answers, pg_sys::INT8OID, 8, b'd')),
            Some(text_array(&topics)),
        ]
    }
}

/// Writes a result's row with its numbers.
///
/// # Safety
/// As for [`lock_students`].
pub unsafe fn insert(layout: &SourceLayout, tables: &Tables, result: &SourceResult, numbers: &[i32]) {
    // SAFETY: the row's datums, of the statement's types (the table's columns).
    unsafe {
        let row = result_row(layout, result, numbers);
        match &tables.store {
            Some(table) => write_row(table, None, &row),
            None => {
                run(Statement::Insert, layout, &row);
            }
        }
    }
}

/// Writes a result's new version, with its numbers, over the held row of its old one.
///
/// # Safety
/// As for [`lock_students`].
pub unsafe fn replace(layout: &SourceLayout, tables: &Tables, old: &Existing, result: &SourceResult, numbers: &[i32]) {
    // SAFETY: as for insert and remove.
    unsafe {
        let row = result_row(layout, result, numbers);
        match &tables.store {
            Some(table) => write_row(table, Some(old.ctid), &row),
            None => {
                remove(layout, tables, old);
                run(Statement::Insert, layout, &row);
            }
        }
    }
}

/// A row written directly: inserted, or replacing the one at `ctid`.
///
/// # Safety
/// Datums of the table's column types.
unsafe fn write_row(table: &Table, ctid: Option<pg_sys::ItemPointerData>, row: &[Param]) {
    let mut values: Vec<pg_sys::Datum> = row.iter().map(|p| p.unwrap_or(pg_sys::Datum::from(0))).collect();
    let mut nulls: Vec<bool> = row.iter().map(Option::is_none).collect();
    // SAFETY: as the caller promises.
    unsafe {
        match ctid {
            None => table.insert(&mut values, &mut nulls),
            Some(ctid) => table.update(ctid, &mut values, &mut nulls),
        }
    }
}

/// Rewrites a held result's numbers.
///
/// # Safety
/// As for [`lock_students`].
pub unsafe fn renumber(layout: &SourceLayout, tables: &Tables, result: &Existing, numbers: &[i32]) {
    let mut ctid = result.ctid;
    let answers: Vec<i64> = result.answers.iter().zip(numbers).map(|(&a, &n)| renumbered(a, n)).collect();
    // SAFETY: a tid (by reference) and an int8[] parameter; or the row as read, its
    // answers replaced.
    unsafe {
        let answers = array_of(&answers, pg_sys::INT8OID, 8, b'd');
        match &tables.store {
            Some(table) => {
                let mut row = result.row.clone();
                row[6] = Some(answers);
                write_row(table, Some(ctid), &row);
            }
            None => {
                run(Statement::Renumber, layout, &[Some(pg_sys::Datum::from(&mut ctid as *mut _)), Some(answers)]);
            }
        }
    }
}

/// Removes a held result's row (read by [`existing`]).
///
/// # Safety
/// As for [`lock_students`].
pub unsafe fn remove(layout: &SourceLayout, tables: &Tables, result: &Existing) {
    let mut ctid = result.ctid;
    // SAFETY: the row's tid (by reference).
    unsafe {
        match &tables.store {
            Some(table) => table.delete(ctid),
            None => {
                run(Statement::Delete, layout, &[Some(pg_sys::Datum::from(&mut ctid as *mut _))]);
            }
        }
    }
}

/// Saves a student's tally and latest completion.
///
/// # Safety
/// As for [`lock_students`].
pub unsafe fn save_student(
    layout: &SourceLayout,
    tables: &Tables,
    student: &[u8; 16],
    (ctid, version): (pg_sys::ItemPointerData, i64),
    last: Option<i64>,
    tally: &Tally,
) {
    // SAFETY: parameters of the statement's types, or the row's columns.
    unsafe {
        let bytes = tally.to_bytes();
        let tally = pg_sys::Datum::from(pgrx::rust_byte_slice_to_bytea(&bytes).into_pg());
        match &tables.students {
            Some(table) => write_row(
                table,
                Some(ctid),
                &[
                    Some(uuid_datum(student)),
                    Some(pg_sys::Datum::from(version + 1)),
                    Some(pg_sys::Datum::from(pg_sys::GetCurrentStatementStartTimestamp())),
                    last.map(pg_sys::Datum::from),
                    Some(tally),
                ],
            ),
            None => {
                run(Statement::SaveStudent, layout, &[Some(uuid_datum(student)), last.map(pg_sys::Datum::from), Some(tally)]);
            }
        }
    }
}
