//! The source rows the store is made of, read natively from a tuple: the six contract
//! columns by name, their types checked by OID and their datums read as those built-in
//! types. Nothing the source table's owner could define (a cast, an operator, a domain)
//! runs while the store's triggers read the rows a statement wrote.

use super::numbering::{IdKey, Place};
use crate::contract::result_rejection;
use crate::hash::{format_uuid, student_uuid};
use crate::row_cache::{parse_uncached, Rows};
use pgrx::{pg_sys, varlena};
use std::ffi::CStr;

/// The id types of the source contract, as the store keys and orders them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    Uuid,
    Int8,
    Int4,
    /// text or varchar (same representation; "C" order in the store).
    Text,
}

/// Where the contract's columns are in the source's tuples (1-based attribute numbers).
#[derive(Clone, Copy, Debug)]
pub struct SourceLayout {
    pub id: i32,
    pub id_kind: IdKind,
    pub id_type: pg_sys::Oid,
    user_id: i32,
    session_id: i32,
    created_at: i32,
    updated_at: i32,
    result_json: i32,
}

fn text_like(t: pg_sys::Oid) -> bool {
    t == pg_sys::TEXTOID || t == pg_sys::VARCHAROID
}

impl SourceLayout {
    /// The layout of a source tuple descriptor, or why it is not a source (a column missing
    /// or of a type outside the contract, docs/SPEC.md §2).
    ///
    /// # Safety
    /// `desc` is a valid tuple descriptor.
    pub unsafe fn of(desc: pg_sys::TupleDesc) -> Result<Self, String> {
        let mut found: [(i32, pg_sys::Oid); 6] = [(0, pg_sys::InvalidOid); 6];
        const NAMES: [&CStr; 6] = [c"id", c"user_id", c"session_id", c"created_at", c"updated_at", c"result_json"];
        // SAFETY: natts attributes follow the descriptor.
        unsafe {
            // pgrx's accessor: PostgreSQL 18 moved the attributes behind compact_attrs.
            let tupdesc = pgrx::PgTupleDesc::from_pg_unchecked(desc);
            for i in 0..(*desc).natts {
                let Some(attr) = tupdesc.get(i as usize) else { continue };
                if attr.attisdropped {
                    continue;
                }
                let name = CStr::from_ptr(attr.attname.data.as_ptr());
                if let Some(k) = NAMES.iter().position(|n| *n == name) {
                    found[k] = (i + 1, attr.atttypid);
                }
            }
        }
        let check = |k: usize, ok: fn(pg_sys::Oid) -> bool| -> Result<i32, String> {
            let (attnum, typ) = found[k];
            if attnum == 0 || !ok(typ) {
                return Err(format!("column {} is missing or not of a type of the contract", NAMES[k].to_string_lossy()));
            }
            Ok(attnum)
        };
        let (id_type, id_kind) = match found[0].1 {
            t if t == pg_sys::UUIDOID => (t, IdKind::Uuid),
            t if t == pg_sys::INT8OID => (t, IdKind::Int8),
            t if t == pg_sys::INT4OID => (t, IdKind::Int4),
            t if text_like(t) => (t, IdKind::Text),
            _ => return Err("column id is missing or not of a type of the contract".into()),
        };
        Ok(Self {
            id: check(0, |_| true)?,
            id_kind,
            id_type,
            user_id: check(1, text_like)?,
            session_id: check(2, text_like)?,
            created_at: check(3, |t| t == pg_sys::TIMESTAMPTZOID)?,
            updated_at: check(4, |t| t == pg_sys::TIMESTAMPTZOID)?,
            result_json: check(5, |t| t == pg_sys::JSONBOID)?,
        })
    }

    /// One source row: its place, identity and (with `elements`) kept elements; `None`
    /// when the result is dropped whole (the result-level rules) and so has no rows in the
    /// store. `get` returns a column's datum by attribute number, `None` for NULL. An old
    /// version needs no elements: the store's row has them.
    ///
    /// # Safety
    /// The datums `get` returns are of the types [`SourceLayout::of`] checked, valid for
    /// the call.
    pub unsafe fn read(&self, get: impl Fn(i32) -> Option<pg_sys::Datum>, elements: bool) -> Option<SourceResult> {
        // SAFETY: text and jsonb datums of the checked types, valid for the call.
        unsafe {
            let id = get(self.id);
            let user_id = get(self.user_id).map(|d| text_bytes(d));
            let completed_at = get(self.updated_at).or_else(|| get(self.created_at)).map(|d| d.value() as i64);
            if result_rejection(id.is_none(), user_id, completed_at).is_some() {
                return None;
            }
            let (id, user_id, completed_at) = (id?, user_id?, completed_at?);
            let (key, id_text) = match self.id_kind {
                IdKind::Uuid => {
                    let bytes = *id.cast_mut_ptr::<[u8; 16]>();
                    let mut text = [0u8; 36];
                    format_uuid(&bytes, &mut text);
                    (IdKey::Uuid(bytes), text.to_vec())
                }
                IdKind::Int8 => (IdKey::Int(id.value() as i64), (id.value() as i64).to_string().into_bytes()),
                IdKind::Int4 => (IdKey::Int(i64::from(id.value() as i32)), (id.value() as i32).to_string().into_bytes()),
                IdKind::Text => {
                    let bytes = text_bytes(id).to_vec();
                    (IdKey::Text(bytes.clone()), bytes)
                }
            };
            Some(SourceResult {
                place: Place { completed_at, id: key },
                id_text,
                student: student_uuid(user_id),
                session_id: get(self.session_id).map(|d| text_bytes(d).to_vec()),
                rows: if elements { get(self.result_json).map(|d| parse_uncached(d)).unwrap_or_default() } else { Rows::default() },
            })
        }
    }
}

/// One exam result the store holds (or held), read from a source row.
pub struct SourceResult {
    pub place: Place,
    /// The id's text form, which feeds attempt_id (docs/SPEC.md §3).
    pub id_text: Vec<u8>,
    pub student: [u8; 16],
    pub session_id: Option<Vec<u8>>,
    pub rows: Rows,
}

impl SourceResult {
    pub fn items(&self) -> Vec<i64> {
        self.rows.rows.iter().map(|r| r.item_id).collect()
    }
}

/// The bytes of a text datum.
///
/// # Safety
/// `datum` is a text datum valid for the call; the bytes live as long as it (or as the
/// current memory context, when it had to be detoasted).
pub unsafe fn text_bytes<'a>(datum: pg_sys::Datum) -> &'a [u8] {
    // SAFETY: a varlena; detoasting returns it or an inline copy.
    unsafe {
        let text = pg_sys::pg_detoast_datum_packed(datum.cast_mut_ptr());
        std::slice::from_raw_parts(varlena::vardata_any(text).cast::<u8>(), varlena::varsize_any_exhdr(text))
    }
}

/// Calls `f` with each row of a tuplestore (a trigger's transition table), read through a
/// slot of `desc`.
///
/// # Safety
/// `store` holds tuples of `desc`.
pub unsafe fn each_row(
    store: *mut pg_sys::Tuplestorestate,
    desc: pg_sys::TupleDesc,
    mut f: impl FnMut(&dyn Fn(i32) -> Option<pg_sys::Datum>),
) {
    if store.is_null() {
        return;
    }
    // SAFETY: a minimal-tuple slot of the store's descriptor, dropped at the end; each
    // fetched tuple stays valid until the next fetch, and `f` copies what it keeps.
    unsafe {
        let slot = pg_sys::MakeSingleTupleTableSlot(desc, &pg_sys::TTSOpsMinimalTuple);
        pg_sys::tuplestore_rescan(store);
        while pg_sys::tuplestore_gettupleslot(store, true, false, slot) {
            f(&|attnum| {
                let mut isnull = false;
                let d = pg_sys::slot_getattr(slot, attnum, &mut isnull);
                (!isnull).then_some(d)
            });
        }
        pg_sys::ExecDropSingleTupleTableSlot(slot);
    }
}
