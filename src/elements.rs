//! The element parser: one walk over the jsonb binary of a result's `questions` array, with
//! the rules of docs/SPEC.md §5 for what is kept and how optional fields default.
//!
//! [`kept_elements`] serves `attempt` (through [`crate::row_cache`]); [`element_reports`]
//! serves `attempt_rejects`, saying per element what was dropped or defaulted and why. Both
//! read the same fields with the same rules, so the two views cannot disagree.
//!
//! This module only reads jsonb; the SQL-callable functions are in [`crate::view_functions`].

use crate::numeric::{digit_string_to_i64, Decimal};
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

/// # Safety
/// `container` points to a jsonb container.
unsafe fn is_object(container: *const pg_sys::JsonbContainer) -> bool {
    // SAFETY: the caller's pointer is valid for reads of the header.
    unsafe { (*container).header & pg_sys::JB_FOBJECT != 0 }
}

/// # Safety
/// `container` points to a jsonb container.
unsafe fn is_array(container: *const pg_sys::JsonbContainer) -> bool {
    // SAFETY: as for is_object.
    unsafe { (*container).header & (pg_sys::JB_FARRAY | pg_sys::JB_FSCALAR) == pg_sys::JB_FARRAY }
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
///
/// # Safety
/// `object` points to a jsonb object container.
unsafe fn get_key(object: *mut pg_sys::JsonbContainer, key: &str) -> Option<pg_sys::JsonbValue> {
    let mut value = std::mem::MaybeUninit::<pg_sys::JsonbValue>::zeroed();
    // SAFETY: a valid container, a key of key.len() bytes, and room for one JsonbValue.
    let found = unsafe {
        get_key_json_value_from_container(object, key.as_ptr().cast(), key.len() as i32, value.as_mut_ptr())
    };
    // SAFETY: filled in when found.
    (!found.is_null()).then(|| unsafe { value.assume_init() })
}

// The JEntry layout of src/include/utils/jsonb.h, unchanged since jsonb's first release.
const JENTRY_OFFLENMASK: u32 = 0x0FFF_FFFF;
const JENTRY_TYPEMASK: u32 = 0x7000_0000;
const JENTRY_HAS_OFF: u32 = 0x8000_0000;
const JENTRY_ISSTRING: u32 = 0x0000_0000;
const JENTRY_ISNUMERIC: u32 = 0x1000_0000;
const JENTRY_ISBOOL_FALSE: u32 = 0x2000_0000;
const JENTRY_ISBOOL_TRUE: u32 = 0x3000_0000;
const JENTRY_ISNULL: u32 = 0x4000_0000;
const JENTRY_ISCONTAINER: u32 = 0x5000_0000;

/// The children of a container, in storage order, each as (JEntry, start, end) of its
/// bytes in the data area, and the data area itself. An object's children are its keys,
/// sorted, then its values in the same order. One pass: getIthJsonbValueFromContainer and
/// the key lookups would each re-sum the offsets from the nearest stride.
///
/// # Safety
/// `container` points to a jsonb container with at least `n` children.
unsafe fn children(
    container: *mut pg_sys::JsonbContainer,
    n: u32,
) -> (*const u8, impl Iterator<Item = (u32, u32, u32)>) {
    // SAFETY: the JEntry array follows the header; the data area follows the n entries.
    let entries = unsafe { std::ptr::addr_of_mut!((*container).children).cast::<u32>() };
    // SAFETY: as above.
    let data = unsafe { entries.add(n as usize).cast::<u8>().cast_const() };
    let mut offset: u32 = 0;
    let walk = (0..n).map(move |i| {
        // SAFETY: i < n, within the entry array.
        let entry = unsafe { *entries.add(i as usize) };
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
///
/// # Safety
/// `start` is a child's start in the data area `data`.
unsafe fn aligned(data: *const u8, start: u32) -> *const u8 {
    // SAFETY: the aligned start is still within the child's bytes.
    unsafe { data.add(((start + 3) & !3) as usize) }
}

/// A field's value as the contract reads it: strings, numbers and booleans matter; null
/// and containers count as missing for `attempt` but are told apart for `attempt_rejects`.
#[derive(Clone, Copy)]
pub enum Value<'a> {
    String(&'a [u8]),
    /// The decoded number and the numeric datum it was read from.
    Number(Decimal<'a>, *const pg_sys::varlena),
    Bool(bool),
    Null,
    Container(*mut pg_sys::JsonbContainer),
}

/// The value of an array element or object value, from its JEntry.
///
/// # Safety
/// `entry`, `start` and `end` describe a child of the container whose data area is `data`.
unsafe fn value<'a>(data: *const u8, entry: u32, start: u32, end: u32) -> Option<Value<'a>> {
    Some(match entry & JENTRY_TYPEMASK {
        // SAFETY: a string child's bytes are data[start..end].
        JENTRY_ISSTRING => Value::String(unsafe {
            std::slice::from_raw_parts(data.add(start as usize), end.wrapping_sub(start) as usize)
        }),
        JENTRY_ISNUMERIC => {
            // SAFETY: a numeric child is a varlena at its aligned start.
            let numeric = unsafe { aligned(data, start) }.cast::<pg_sys::varlena>();
            // SAFETY: as above; the varlena's header gives its length.
            let bytes = unsafe {
                std::slice::from_raw_parts(
                    varlena::vardata_any(numeric).cast::<u8>(),
                    varlena::varsize_any_exhdr(numeric),
                )
            };
            Value::Number(Decimal::from_numeric_data(bytes)?, numeric)
        }
        JENTRY_ISBOOL_FALSE => Value::Bool(false),
        JENTRY_ISBOOL_TRUE => Value::Bool(true),
        JENTRY_ISNULL => Value::Null,
        // SAFETY: a container child starts at its aligned start.
        JENTRY_ISCONTAINER => Value::Container(unsafe { aligned(data, start) }.cast_mut().cast()),
        _ => return None,
    })
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
///
/// # Safety
/// `object` points to a jsonb object container.
unsafe fn field_values<'a>(object: *mut pg_sys::JsonbContainer) -> FieldValues<'a> {
    // SAFETY: the caller's container.
    let pairs = unsafe { (*object).header & pg_sys::JB_CMASK } as usize;
    // SAFETY: an object has 2 × pairs children.
    let (data, walk) = unsafe { children(object, 2 * pairs as u32) };
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
            // SAFETY: a key is a string child.
            let key = unsafe {
                std::slice::from_raw_parts(data.add(start as usize), end.wrapping_sub(start) as usize)
            };
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
        // SAFETY: the child just walked.
        let value = unsafe { value(data, entry, start, end) };
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
        Value::Number(d, _) => d.to_i64(),
        Value::String(s) => digit_string_to_i64(s),
        _ => None,
    }
}

/// Why a `question_id` makes no item id (SPEC.md §5), given that [`item_id`] found none.
fn question_id_problem(value: Option<Value>) -> &'static str {
    match value {
        None | Some(Value::Null) => "question_id is missing",
        Some(Value::String(b"")) => "question_id is empty",
        Some(Value::String(s)) if s.iter().all(u8::is_ascii_digit) => "question_id is out of bigint range",
        Some(Value::Number(d, _)) if d.is_integral() => "question_id is out of bigint range",
        _ => "question_id is not an integer",
    }
}

/// The `questions` array of a result, if it has one.
///
/// # Safety
/// `jsonb` points to a detoasted jsonb value.
unsafe fn questions(jsonb: *mut pg_sys::Jsonb) -> Result<*mut pg_sys::JsonbContainer, QuestionsProblem> {
    // SAFETY: the root container of the caller's value.
    let root = unsafe { std::ptr::addr_of_mut!((*jsonb).root) };
    // SAFETY: root is a container.
    if !unsafe { is_object(root) } {
        return Err(QuestionsProblem::Missing);
    }
    // SAFETY: root is an object.
    match unsafe { get_key(root, "questions") } {
        None => Err(QuestionsProblem::Missing),
        Some(v) if v.type_ == pg_sys::jbvType::jbvNull => Err(QuestionsProblem::Missing),
        // SAFETY: a jbvBinary value holds a container.
        Some(v) if v.type_ == pg_sys::jbvType::jbvBinary && unsafe { is_array(v.val.binary.data) } => {
            // SAFETY: as above.
            Ok(unsafe { v.val.binary.data })
        }
        Some(_) => Err(QuestionsProblem::NotAnArray),
    }
}

/// Why a result has no elements at all.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum QuestionsProblem {
    Missing,
    NotAnArray,
}

impl QuestionsProblem {
    pub fn reason(self) -> &'static str {
        match self {
            Self::Missing => "questions is missing",
            Self::NotAnArray => "questions is not an array",
        }
    }
}

/// The elements of an array, with their index and value.
///
/// # Safety
/// `array` points to a jsonb array container that outlives the values.
unsafe fn array_elements<'a>(array: *mut pg_sys::JsonbContainer) -> impl Iterator<Item = (i32, Option<Value<'a>>)> {
    // SAFETY: the caller's container; an array has header & JB_CMASK children.
    let (data, walk) = unsafe { children(array, (*array).header & pg_sys::JB_CMASK) };
    // SAFETY: each child just walked.
    walk.enumerate().map(move |(i, (entry, start, end))| (i as i32, unsafe { value(data, entry, start, end) }))
}

/// Remembers the item ids kept so far in one result: the first occurrence wins.
struct SeenItems {
    kept: Vec<i64>,
    /// Results hold tens of questions: a linear scan beats hashing until one is long.
    large: Option<HashSet<i64>>,
}

impl SeenItems {
    fn with_capacity(n: usize) -> Self {
        Self { kept: Vec::with_capacity(n), large: None }
    }

    /// True when `item` was not seen before (and remembers it).
    fn first(&mut self, item: i64) -> bool {
        if let Some(seen) = &mut self.large {
            return seen.insert(item);
        }
        if self.kept.contains(&item) {
            return false;
        }
        self.kept.push(item);
        if self.kept.len() > 64 {
            self.large = Some(self.kept.drain(..).collect());
        }
        true
    }
}

/// The kept elements of one result, in array order: objects with a valid `question_id`
/// not seen earlier in the same result (the first occurrence wins). A result whose
/// `questions` is missing or not an array has none.
///
/// # Safety
/// `jsonb` must point to a detoasted jsonb value that outlives the returned elements.
pub unsafe fn kept_elements<'a>(jsonb: *mut pg_sys::Jsonb) -> Vec<Element<'a>> {
    // SAFETY: the caller's value.
    let Ok(questions) = (unsafe { self::questions(jsonb) }) else { return Vec::new() };
    // SAFETY: an array container.
    let count = unsafe { (*questions).header & pg_sys::JB_CMASK } as usize;
    let mut kept: Vec<Element> = Vec::with_capacity(count);
    let mut seen = SeenItems::with_capacity(count);
    // SAFETY: the array outlives the elements (it is inside the caller's value).
    for (position, value) in unsafe { array_elements(questions) } {
        let Some(Value::Container(object)) = value else { continue };
        // SAFETY: a container of the array.
        if !unsafe { is_object(object) } {
            continue;
        }
        // SAFETY: an object container.
        let values = unsafe { field_values(object) };
        let Some(item_id) = item_id(values.question_id) else { continue };
        if seen.first(item_id) {
            kept.push(Element { position, item_id, values });
        }
    }
    kept
}

fn boolean(v: Option<Value>) -> Option<bool> {
    match v {
        Some(Value::Bool(b)) => Some(b),
        _ => None,
    }
}

fn number<'a>(v: Option<Value<'a>>) -> Option<Decimal<'a>> {
    match v {
        Some(Value::Number(d, _)) => Some(d),
        _ => None,
    }
}

impl<'a> Element<'a> {
    /// The optional fields: `is_correct`, else `correct`, else false; `time_spent_sec` in
    /// 0..2,147,483 s as milliseconds, else 0; `used_hints` ≥ 1; `topic`, "" as NULL.
    pub fn fields(&self) -> Fields<'a> {
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

    /// The optional fields present with a value the contract cannot use, each treated as
    /// missing: (field, reason), in the order of SPEC.md §5. JSON null is missing, not bad.
    pub fn defaulted(&self) -> impl Iterator<Item = (&'static str, &'static str)> {
        let v = &self.values;
        let not = |value: Option<Value>, fits: fn(&Value) -> bool, reason| match value {
            Some(Value::Null) | None => None,
            Some(x) if fits(&x) => None,
            Some(_) => Some(reason),
        };
        let time_spent = match v.time_spent_sec {
            Some(Value::Number(d, _)) if d.milliseconds().is_none() => Some("out of range 0..2147483"),
            other => not(other, |x| matches!(x, Value::Number(..)), "not a number"),
        };
        let used_hints = not(
            v.used_hints,
            |x| matches!(x, Value::Number(d, _) if d.is_integral() && !d.is_negative()),
            "not a non-negative integer",
        );
        [
            ("is_correct", not(v.is_correct, |x| matches!(x, Value::Bool(_)), "not a boolean")),
            ("correct", not(v.correct, |x| matches!(x, Value::Bool(_)), "not a boolean")),
            ("time_spent_sec", time_spent),
            ("used_hints", used_hints),
            ("topic", not(v.topic, |x| matches!(x, Value::String(_)), "not a string")),
        ]
        .into_iter()
        .filter_map(|(field, reason)| reason.map(|r| (field, r)))
    }
}

/// What became of one element of a result's `questions` array.
pub struct ElementReport<'a> {
    pub position: i32,
    /// The element's `question_id` as given, when the element is an object that has one.
    pub question_id: Option<Value<'a>>,
    pub verdict: Verdict<'a>,
}

pub enum Verdict<'a> {
    /// Not in `attempt`: (field, reason), the first reason of SPEC.md §5.
    Dropped(&'static str, &'static str),
    /// In `attempt`; [`Element::defaulted`] names the fields it defaulted.
    Kept(Element<'a>),
}

/// Every element of one result's `questions` array and what became of it, or why the
/// result has none. `dropped`, when the result itself breaks a result-level rule of the
/// contract ([`crate::contract::result_rejection`]), drops every element with that reason.
///
/// # Safety
/// `jsonb` must point to a detoasted jsonb value that outlives the returned reports.
pub unsafe fn element_reports<'a>(
    jsonb: *mut pg_sys::Jsonb,
    dropped: Option<(&'static str, &'static str)>,
) -> Result<Vec<ElementReport<'a>>, QuestionsProblem> {
    // SAFETY: the caller's value.
    let questions = unsafe { self::questions(jsonb) }?;
    // SAFETY: an array container.
    let count = unsafe { (*questions).header & pg_sys::JB_CMASK } as usize;
    let mut reports = Vec::with_capacity(count);
    let mut seen = SeenItems::with_capacity(count);
    // SAFETY: the array outlives the reports (it is inside the caller's value).
    for (position, value) in unsafe { array_elements(questions) } {
        let object = match value {
            // SAFETY: a container of the array.
            Some(Value::Container(c)) if unsafe { is_object(c) } => Some(c),
            _ => None,
        };
        // SAFETY: an object container.
        let values = object.map(|o| unsafe { field_values(o) }).unwrap_or_default();
        let question_id = values.question_id.filter(|v| !matches!(v, Value::Null));
        let item = item_id(values.question_id);
        // The duplicate check sees every valid id, whatever else drops its element.
        let first = item.is_some_and(|i| seen.first(i));
        let verdict = if let Some(reason) = dropped {
            Verdict::Dropped(reason.0, reason.1)
        } else if object.is_none() {
            Verdict::Dropped("element", "element is not an object")
        } else if let Some(item_id) = item {
            if first {
                Verdict::Kept(Element { position, item_id, values })
            } else {
                Verdict::Dropped("question_id", "duplicate question_id")
            }
        } else {
            Verdict::Dropped("question_id", question_id_problem(values.question_id))
        };
        reports.push(ElementReport { position, question_id, verdict });
    }
    Ok(reports)
}
