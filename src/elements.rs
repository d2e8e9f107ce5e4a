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

use crate::fmgr::{arg, v1_info};
use crate::numeric::{digit_string_to_i64, Decimal};
use pgrx::prelude::*;
use pgrx::{pg_sys, varlena};
use std::collections::HashSet;

/// One kept element of a result, with the attempt values the contract derives from it.
pub struct Element {
    /// 0-based index in `questions`.
    pub position: i32,
    pub item_id: i64,
    /// The element object, for reading the optional fields.
    object: *mut pg_sys::JsonbContainer,
}

/// The optional fields of a kept element, defaulted as the contract says.
pub struct Fields {
    pub correct: bool,
    pub response_time_ms: i32,
    pub hint_used: bool,
    /// `topic`, when it is a non-empty string: its bytes, in the jsonb.
    pub topic: Option<(*const u8, usize)>,
}

unsafe fn is_object(container: *const pg_sys::JsonbContainer) -> bool {
    (*container).header & pg_sys::JB_FOBJECT != 0
}

unsafe fn is_array(container: *const pg_sys::JsonbContainer) -> bool {
    (*container).header & (pg_sys::JB_FARRAY | pg_sys::JB_FSCALAR) == pg_sys::JB_FARRAY
}

// getKeyJsonValueFromContainer binary-searches the keys and fills `res` in place: it
// neither allocates nor raises. It runs about seven times per element, so it is called
// directly rather than through pgrx's guarded binding, whose setjmp per call costs more
// than the lookup.
extern "C" {
    #[link_name = "getKeyJsonValueFromContainer"]
    fn get_key_json_value_from_container(
        container: *mut pg_sys::JsonbContainer,
        key: *const std::ffi::c_char,
        key_len: std::ffi::c_int,
        res: *mut pg_sys::JsonbValue,
    ) -> *mut pg_sys::JsonbValue;
}

/// `object -> key`, or `None` when the key is absent. JSON null is returned as a jbvNull
/// value; every caller treats it like an absent key (the contract: null counts as missing).
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
const JENTRY_ISCONTAINER: u32 = 0x5000_0000;

/// The elements of an array container that are themselves containers (objects or arrays),
/// with their index, found by walking the JEntries once: getIthJsonbValueFromContainer
/// would re-sum the offsets and palloc a JsonbValue per element.
unsafe fn container_elements(
    array: *mut pg_sys::JsonbContainer,
) -> impl Iterator<Item = (u32, *mut pg_sys::JsonbContainer)> {
    let count = (*array).header & pg_sys::JB_CMASK;
    let entries = std::ptr::addr_of_mut!((*array).children).cast::<u32>();
    let data = entries.add(count as usize).cast::<u8>();
    let mut offset: u32 = 0;
    (0..count).filter_map(move |i| {
        let entry = *entries.add(i as usize);
        let start = offset;
        // An entry holds either its length or, every JB_OFFSET_STRIDE entries, its end.
        offset = if entry & JENTRY_HAS_OFF != 0 {
            entry & JENTRY_OFFLENMASK
        } else {
            start.wrapping_add(entry & JENTRY_OFFLENMASK)
        };
        (entry & JENTRY_TYPEMASK == JENTRY_ISCONTAINER).then(|| {
            // Containers start at an int-aligned offset (fillJsonbValue's INTALIGN).
            (i, data.add(((start + 3) & !3) as usize).cast::<pg_sys::JsonbContainer>())
        })
    })
}

unsafe fn as_decimal<'a>(value: &pg_sys::JsonbValue) -> Option<Decimal<'a>> {
    if value.type_ != pg_sys::jbvType::jbvNumeric {
        return None;
    }
    let numeric = value.val.numeric.cast::<pg_sys::varlena>();
    Decimal::from_numeric_data(std::slice::from_raw_parts(
        varlena::vardata_any(numeric).cast::<u8>(),
        varlena::varsize_any_exhdr(numeric),
    ))
}

unsafe fn string_bytes<'a>(value: &pg_sys::JsonbValue) -> Option<&'a [u8]> {
    (value.type_ == pg_sys::jbvType::jbvString).then(|| {
        let s = value.val.string;
        std::slice::from_raw_parts(s.val.cast::<u8>(), s.len as usize)
    })
}

/// `question_id` as an item id: a JSON integer in bigint range (12.0 counts), or a string
/// of ASCII digits in range ("007" is 7).
unsafe fn item_id(object: *mut pg_sys::JsonbContainer) -> Option<i64> {
    let value = get_key(object, "question_id")?;
    match value.type_ {
        pg_sys::jbvType::jbvNumeric => as_decimal(&value)?.to_i64(),
        pg_sys::jbvType::jbvString => digit_string_to_i64(string_bytes(&value)?),
        _ => None,
    }
}

/// The kept elements of one result, in array order: objects with a valid `question_id`
/// not seen earlier in the same result (the first occurrence wins). A result whose
/// `questions` is missing or not an array has none.
///
/// # Safety
/// `jsonb` must point to a detoasted jsonb value that outlives the returned elements.
pub unsafe fn kept_elements(jsonb: *mut pg_sys::Jsonb) -> Vec<Element> {
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
        let Some(item_id) = item_id(object) else { continue };
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
            kept.push(Element { position: i as i32, item_id, object });
        }
    }
    kept
}

impl Element {
    /// The optional fields: `is_correct`, else `correct`, else false; `time_spent_sec` in
    /// 0..2,147,483 s as milliseconds, else 0; `used_hints` ≥ 1; `topic`, "" as NULL.
    ///
    /// # Safety
    /// The jsonb the element came from must still be alive.
    pub unsafe fn fields(&self) -> Fields {
        let boolean = |key| match get_key(self.object, key) {
            Some(v) if v.type_ == pg_sys::jbvType::jbvBool => Some(v.val.boolean),
            _ => None,
        };
        let decimal_field = |key| get_key(self.object, key).and_then(|v| as_decimal(&v));
        Fields {
            correct: boolean("is_correct").or_else(|| boolean("correct")).unwrap_or(false),
            response_time_ms: decimal_field("time_spent_sec")
                .and_then(|d| d.milliseconds())
                .unwrap_or(0),
            hint_used: decimal_field("used_hints").is_some_and(|d| d.is_positive_integer()),
            topic: get_key(self.object, "topic")
                .and_then(|v| string_bytes(&v))
                .filter(|s| !s.is_empty())
                .map(|s| (s.as_ptr(), s.len())),
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
    let elements = kept_elements(pg_sys::pg_detoast_datum(result_json.cast_mut_ptr()).cast());
    let numbers = match (arg(fcinfo, 1), arg(fcinfo, 2)) {
        (Some(array), Some(peer)) => attempt_numbers(array, peer.value() as i64, elements.len()),
        _ => None,
    };
    for (k, element) in elements.iter().enumerate() {
        let fields = element.fields();
        let topic = fields.topic.map(|(ptr, len)| {
            pg_sys::Datum::from(pg_sys::cstring_to_text_with_len(ptr.cast(), len as i32))
        });
        let attempt_no = numbers.map(|n| n[k]);
        let mut values = [
            pg_sys::Datum::from(element.position),
            pg_sys::Datum::from(element.item_id),
            pg_sys::Datum::from(fields.correct),
            pg_sys::Datum::from(fields.response_time_ms),
            pg_sys::Datum::from(fields.hint_used),
            topic.unwrap_or(pg_sys::Datum::from(0)),
            pg_sys::Datum::from(attempt_no.unwrap_or(0)),
        ];
        let mut nulls = [false, false, false, false, false, topic.is_none(), attempt_no.is_none()];
        pg_sys::tuplestore_putvalues(store, desc, values.as_mut_ptr(), nulls.as_mut_ptr());
    }
    pg_sys::Datum::from(0)
}
