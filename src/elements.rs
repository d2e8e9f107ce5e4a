//! The native element parser behind `attempt` (since 1.2): one walk over the jsonb binary
//! of a result's `questions` array, with the rules of docs/SPEC.md §5 for what is kept and
//! how optional fields default. It replaces some 25 SQL expression evaluations per element.
//!
//! Only kept elements matter here. Why an element is dropped or a field defaulted is the
//! business of `attempt_rejects`, which keeps the SQL parser `attempt_questions`; the
//! regression suite checks the two agree element by element (view_contract).
//!
//! Result-level rules (NULL id, blank user_id, no usable timestamp) are applied by the view
//! in SQL before a result reaches this parser.
//!
//! Callers reach it through [`crate::parsed`], which keeps the decoded rows of the last few
//! results: the view's window aggregate and its row function read each result once between
//! them.

use crate::fmgr::{arg, v1_info};
use crate::numeric::{digit_string_to_i64, Decimal};
use crate::parsed::with_rows;
use pgrx::prelude::*;
use pgrx::{pg_sys, varlena};
use std::collections::HashSet;

/// One kept element of a result, with what the contract reads from its object.
pub struct Element<'a> {
    /// 0-based index in `questions`.
    pub position: i32,
    pub item_id: i64,
    values: FieldValues<'a>,
}

/// The optional fields of a kept element, defaulted as the contract says.
pub struct Fields<'a> {
    pub correct: bool,
    pub response_time_ms: i32,
    pub hint_used: bool,
    /// `topic`, when it is a non-empty string: its bytes, in the jsonb.
    pub topic: Option<&'a [u8]>,
}

unsafe fn is_object(container: *const pg_sys::JsonbContainer) -> bool {
    (*container).header & pg_sys::JB_FOBJECT != 0
}

unsafe fn is_array(container: *const pg_sys::JsonbContainer) -> bool {
    (*container).header & (pg_sys::JB_FARRAY | pg_sys::JB_FSCALAR) == pg_sys::JB_FARRAY
}

// getKeyJsonValueFromContainer binary-searches the keys and fills `res` in place: it
// neither allocates nor raises, so it is called directly rather than through pgrx's
// guarded binding, whose setjmp per call costs more than the lookup. Used once per result
// (for `questions`); element objects are read by `field_values`.
extern "C" {
    #[link_name = "getKeyJsonValueFromContainer"]
    fn get_key_json_value_from_container(
        container: *mut pg_sys::JsonbContainer,
        key: *const std::ffi::c_char,
        key_len: std::ffi::c_int,
        res: *mut pg_sys::JsonbValue,
    ) -> *mut pg_sys::JsonbValue;
}

/// `object -> key`, or `None` when the key is absent.
unsafe fn get_key(object: *mut pg_sys::JsonbContainer, key: &str) -> Option<pg_sys::JsonbValue> {
    let mut value = std::mem::MaybeUninit::<pg_sys::JsonbValue>::zeroed();
    let found = get_key_json_value_from_container(
        object,
        key.as_ptr().cast(),
        key.len() as i32,
        value.as_mut_ptr(),
    );
    (!found.is_null()).then(|| value.assume_init())
}

// The JEntry layout of src/include/utils/jsonb.h, unchanged since jsonb's first release.
const JENTRY_OFFLENMASK: u32 = 0x0FFF_FFFF;
const JENTRY_TYPEMASK: u32 = 0x7000_0000;
const JENTRY_HAS_OFF: u32 = 0x8000_0000;
const JENTRY_ISSTRING: u32 = 0x0000_0000;
const JENTRY_ISNUMERIC: u32 = 0x1000_0000;
const JENTRY_ISBOOL_FALSE: u32 = 0x2000_0000;
const JENTRY_ISBOOL_TRUE: u32 = 0x3000_0000;
const JENTRY_ISCONTAINER: u32 = 0x5000_0000;

/// The children of a container, in storage order, each as (JEntry, start, end) of its
/// bytes in the data area, and the data area itself. An object's children are its keys,
/// sorted, then its values in the same order. One pass: getIthJsonbValueFromContainer and
/// the key lookups would each re-sum the offsets from the nearest stride.
unsafe fn children(
    container: *mut pg_sys::JsonbContainer,
    n: u32,
) -> (*const u8, impl Iterator<Item = (u32, u32, u32)>) {
    let entries = std::ptr::addr_of_mut!((*container).children).cast::<u32>();
    let data = entries.add(n as usize).cast::<u8>().cast_const();
    let mut offset: u32 = 0;
    let walk = (0..n).map(move |i| {
        let entry = *entries.add(i as usize);
        let start = offset;
        // An entry holds either its length or, every JB_OFFSET_STRIDE entries, its end.
        offset = if entry & JENTRY_HAS_OFF != 0 {
            entry & JENTRY_OFFLENMASK
        } else {
            start.wrapping_add(entry & JENTRY_OFFLENMASK)
        };
        (entry, start, offset)
    });
    (data, walk)
}

/// Numerics and containers start at an int-aligned offset (fillJsonbValue's INTALIGN).
unsafe fn aligned(data: *const u8, start: u32) -> *const u8 {
    data.add(((start + 3) & !3) as usize)
}

/// The elements of an array container that are themselves containers (objects or arrays),
/// with their index.
unsafe fn container_elements(
    array: *mut pg_sys::JsonbContainer,
) -> impl Iterator<Item = (u32, *mut pg_sys::JsonbContainer)> {
    let (data, walk) = children(array, (*array).header & pg_sys::JB_CMASK);
    walk.enumerate()
        .filter(|(_, (entry, _, _))| entry & JENTRY_TYPEMASK == JENTRY_ISCONTAINER)
        .map(move |(i, (_, start, _))| (i as u32, aligned(data, start).cast_mut().cast::<pg_sys::JsonbContainer>()))
}

/// A field's value as the contract reads it: strings, numbers and booleans matter; null,
/// arrays and objects count as missing.
#[derive(Clone, Copy)]
enum Value<'a> {
    String(&'a [u8]),
    Number(Decimal<'a>),
    Bool(bool),
}

/// The fields the contract reads from an element object, where present.
#[derive(Clone, Copy, Default)]
struct FieldValues<'a> {
    question_id: Option<Value<'a>>,
    is_correct: Option<Value<'a>>,
    correct: Option<Value<'a>>,
    time_spent_sec: Option<Value<'a>>,
    used_hints: Option<Value<'a>>,
    topic: Option<Value<'a>>,
}

/// Reads the six fields of an element object in one pass over its entries (jsonb keeps an
/// object's keys unique), instead of a binary search of the keys per field.
unsafe fn field_values<'a>(object: *mut pg_sys::JsonbContainer) -> FieldValues<'a> {
    let pairs = ((*object).header & pg_sys::JB_CMASK) as usize;
    let (data, walk) = children(object, 2 * pairs as u32);
    let mut values = FieldValues::default();
    // The fields whose keys were seen, by key index (keys come first and are walked in
    // order, so the indexes ascend), and then the values, matched as the walk reaches them.
    let mut wanted: [(usize, u8); 6] = [(usize::MAX, 0); 6];
    let mut found = 0;
    let mut next = 0;
    for (i, (entry, start, end)) in walk.enumerate() {
        if i < pairs {
            if found == wanted.len() {
                continue;
            }
            let key = std::slice::from_raw_parts(data.add(start as usize), end.wrapping_sub(start) as usize);
            let field = match key {
                b"question_id" => 0,
                b"is_correct" => 1,
                b"correct" => 2,
                b"time_spent_sec" => 3,
                b"used_hints" => 4,
                b"topic" => 5,
                _ => continue,
            };
            wanted[found] = (i, field);
            found += 1;
            continue;
        }
        if next == found {
            break;
        }
        if i - pairs != wanted[next].0 {
            continue;
        }
        let field = wanted[next].1;
        next += 1;
        let value = match entry & JENTRY_TYPEMASK {
            JENTRY_ISSTRING => Some(Value::String(std::slice::from_raw_parts(
                data.add(start as usize),
                end.wrapping_sub(start) as usize,
            ))),
            JENTRY_ISNUMERIC => {
                let numeric = aligned(data, start).cast_mut().cast::<pg_sys::varlena>();
                Decimal::from_numeric_data(std::slice::from_raw_parts(
                    varlena::vardata_any(numeric).cast::<u8>(),
                    varlena::varsize_any_exhdr(numeric),
                ))
                .map(Value::Number)
            }
            JENTRY_ISBOOL_FALSE => Some(Value::Bool(false)),
            JENTRY_ISBOOL_TRUE => Some(Value::Bool(true)),
            _ => None,
        };
        match field {
            0 => values.question_id = value,
            1 => values.is_correct = value,
            2 => values.correct = value,
            3 => values.time_spent_sec = value,
            4 => values.used_hints = value,
            _ => values.topic = value,
        }
    }
    values
}

/// `question_id` as an item id: a JSON integer in bigint range (12.0 counts), or a string
/// of ASCII digits in range ("007" is 7).
fn item_id(value: Option<Value>) -> Option<i64> {
    match value? {
        Value::Number(d) => d.to_i64(),
        Value::String(s) => digit_string_to_i64(s),
        Value::Bool(_) => None,
    }
}

/// The kept elements of one result, in array order: objects with a valid `question_id`
/// not seen earlier in the same result (the first occurrence wins). A result whose
/// `questions` is missing or not an array has none.
///
/// # Safety
/// `jsonb` must point to a detoasted jsonb value that outlives the returned elements.
pub unsafe fn kept_elements<'a>(jsonb: *mut pg_sys::Jsonb) -> Vec<Element<'a>> {
    let root = std::ptr::addr_of_mut!((*jsonb).root);
    if !is_object(root) {
        return Vec::new();
    }
    let questions = match get_key(root, "questions") {
        Some(v) if v.type_ == pg_sys::jbvType::jbvBinary && is_array(v.val.binary.data) => {
            v.val.binary.data
        }
        _ => return Vec::new(),
    };
    let count = (*questions).header & pg_sys::JB_CMASK;
    let mut kept: Vec<Element> = Vec::with_capacity(count as usize);
    // Results hold tens of questions: a linear scan of the kept ids beats hashing until
    // a result is unusually long.
    let mut seen_large: Option<HashSet<i64>> = None;
    for (i, object) in container_elements(questions) {
        if !is_object(object) {
            continue;
        }
        let values = field_values(object);
        let Some(item_id) = item_id(values.question_id) else { continue };
        let duplicate = match &mut seen_large {
            Some(seen) => !seen.insert(item_id),
            None => {
                let duplicate = kept.iter().any(|e| e.item_id == item_id);
                if kept.len() >= 64 {
                    seen_large = Some(kept.iter().map(|e| e.item_id).chain([item_id]).collect());
                }
                duplicate
            }
        };
        if !duplicate {
            kept.push(Element { position: i as i32, item_id, values });
        }
    }
    kept
}

impl<'a> Element<'a> {
    /// The optional fields: `is_correct`, else `correct`, else false; `time_spent_sec` in
    /// 0..2,147,483 s as milliseconds, else 0; `used_hints` ≥ 1; `topic`, "" as NULL.
    pub fn fields(&self) -> Fields<'a> {
        let boolean = |v: Option<Value>| match v {
            Some(Value::Bool(b)) => Some(b),
            _ => None,
        };
        let number = |v: Option<Value<'a>>| match v {
            Some(Value::Number(d)) => Some(d),
            _ => None,
        };
        let v = &self.values;
        Fields {
            correct: boolean(v.is_correct).or_else(|| boolean(v.correct)).unwrap_or(false),
            response_time_ms: number(v.time_spent_sec).and_then(|d| d.milliseconds()).unwrap_or(0),
            hint_used: number(v.used_hints).is_some_and(|d| d.is_positive_integer()),
            topic: match v.topic {
                Some(Value::String(s)) if !s.is_empty() => Some(s),
                _ => None,
            },
        }
    }
}

/// The attempt numbers [`crate::attempt_no`] computed for peer `peer` of a result's peer
/// group, if the array is the shape it builds and holds exactly `n` numbers. Anything else
/// (a hand-made array) yields `None`, and the rows get a NULL attempt_no.
unsafe fn attempt_numbers<'a>(array: pg_sys::Datum, peer: i64, n: usize) -> Option<&'a [i32]> {
    let array = pg_sys::pg_detoast_datum(array.cast_mut_ptr()).cast::<pg_sys::ArrayType>();
    if (*array).ndim != 1 || (*array).dataoffset != 0 || (*array).elemtype != pg_sys::INT4OID {
        return None;
    }
    let base = array.cast::<u8>();
    let len = usize::try_from(*base.add(std::mem::size_of::<pg_sys::ArrayType>()).cast::<i32>()).ok()?;
    // ARR_DATA_PTR of a one-dimensional array without a NULL bitmap.
    let data = base.add(pgrx::pg_sys::MAXALIGN(std::mem::size_of::<pg_sys::ArrayType>() + 8));
    let numbers = std::slice::from_raw_parts(data.cast::<i32>(), len);
    crate::attempt_no::peer_numbers(numbers, peer).filter(|s| s.len() == n)
}

v1_info!(pg_finfo_attempt_elements);
/// `attempt_elements(result_json jsonb, attempt_nos integer[], peer bigint)`: one row per
/// kept element of the result (position, item_id, correct, response_time_ms, hint_used,
/// topic_id, attempt_no). `attempt_nos` and `peer` come from the `attempt_no` window of the
/// view; without them attempt_no is NULL (the store numbers its own rows).
///
/// # Safety
/// Called by PostgreSQL's function manager as a set-returning function.
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn attempt_elements(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    let rsinfo = (*fcinfo).resultinfo.cast::<pg_sys::ReturnSetInfo>();
    if rsinfo.is_null()
        || (*rsinfo).type_ != pg_sys::NodeTag::T_ReturnSetInfo
        || (*rsinfo).allowedModes & pg_sys::SetFunctionReturnMode::SFRM_Materialize as i32 == 0
        || (*rsinfo).expectedDesc.is_null()
    {
        pgrx::ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
            "attempt_elements() must be called in FROM, as a table function"
        );
    }
    // Materialize mode: the rows go straight into the tuplestore the scan reads, with no
    // per-row call and no heap tuple in between.
    let old = pg_sys::MemoryContextSwitchTo((*(*rsinfo).econtext).ecxt_per_query_memory);
    let desc = pg_sys::CreateTupleDescCopy((*rsinfo).expectedDesc);
    let random = (*rsinfo).allowedModes & pg_sys::SetFunctionReturnMode::SFRM_Materialize_Random as i32 != 0;
    let store = pg_sys::tuplestore_begin_heap(random, false, pg_sys::work_mem);
    pg_sys::MemoryContextSwitchTo(old);
    (*rsinfo).returnMode = pg_sys::SetFunctionReturnMode::SFRM_Materialize;
    (*rsinfo).setResult = store;
    (*rsinfo).setDesc = desc;

    let Some(result_json) = arg(fcinfo, 0) else { return pg_sys::Datum::from(0) };
    with_rows(result_json, |parsed| {
        let numbers = match (arg(fcinfo, 1), arg(fcinfo, 2)) {
            (Some(array), Some(peer)) => attempt_numbers(array, peer.value() as i64, parsed.rows.len()),
            _ => None,
        };
        for (k, row) in parsed.rows.iter().enumerate() {
            let topic = parsed
                .topic(row)
                .map(|s| pg_sys::Datum::from(pg_sys::cstring_to_text_with_len(s.as_ptr().cast(), s.len() as i32)));
            let attempt_no = numbers.map(|n| n[k]);
            let mut values = [
                pg_sys::Datum::from(row.position),
                pg_sys::Datum::from(row.item_id),
                pg_sys::Datum::from(row.correct),
                pg_sys::Datum::from(row.response_time_ms),
                pg_sys::Datum::from(row.hint_used),
                topic.unwrap_or(pg_sys::Datum::from(0)),
                pg_sys::Datum::from(attempt_no.unwrap_or(0)),
            ];
            let mut nulls = [false, false, false, false, false, topic.is_none(), attempt_no.is_none()];
            pg_sys::tuplestore_putvalues(store, desc, values.as_mut_ptr(), nulls.as_mut_ptr());
        }
    });
    pg_sys::Datum::from(0)
}
