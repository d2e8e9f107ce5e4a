//! The SQL-callable functions behind the views: `attempt_elements` (the rows of `attempt`),
//! `attempt_element_rejects` (the rows of `attempt_rejects`) and `attempt_result_kept`
//! (the result-level rules both views apply). The parsing itself is [`crate::elements`].

use crate::contract::result_rejection;
use crate::elements::{element_reports, Value, Verdict};
use crate::fmgr::{arg, v1_info};
use crate::row_cache::with_rows;
use pgrx::prelude::*;
use pgrx::{pg_sys, varlena};

/// Sets up a set-returning call in materialize mode: the rows go straight into the
/// tuplestore the scan reads, with no per-row call and no heap tuple in between.
///
/// # Safety
/// `fcinfo` is a set-returning function call's.
unsafe fn materialize(
    fcinfo: pg_sys::FunctionCallInfo,
    name: &str,
) -> (*mut pg_sys::Tuplestorestate, pg_sys::TupleDesc) {
    // SAFETY: the function manager's call info.
    let rsinfo = unsafe { (*fcinfo).resultinfo.cast::<pg_sys::ReturnSetInfo>() };
    // SAFETY: checked non-NULL and tagged before each read.
    let usable = !rsinfo.is_null()
        && unsafe {
            (*rsinfo).type_ == pg_sys::NodeTag::T_ReturnSetInfo
                && (*rsinfo).allowedModes & pg_sys::SetFunctionReturnMode::SFRM_Materialize as i32 != 0
                && !(*rsinfo).expectedDesc.is_null()
        };
    if !usable {
        pgrx::ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
            format!("{name}() must be called in FROM, as a table function")
        );
    }
    // SAFETY: a ReturnSetInfo that allows materialize mode; the store and its descriptor
    // are made in the query's memory, where the scan reads them.
    unsafe {
        let old = pg_sys::MemoryContextSwitchTo((*(*rsinfo).econtext).ecxt_per_query_memory);
        let desc = pg_sys::CreateTupleDescCopy((*rsinfo).expectedDesc);
        let random =
            (*rsinfo).allowedModes & pg_sys::SetFunctionReturnMode::SFRM_Materialize_Random as i32 != 0;
        let store = pg_sys::tuplestore_begin_heap(random, false, pg_sys::work_mem);
        pg_sys::MemoryContextSwitchTo(old);
        (*rsinfo).returnMode = pg_sys::SetFunctionReturnMode::SFRM_Materialize;
        (*rsinfo).setResult = store;
        (*rsinfo).setDesc = desc;
        (store, desc)
    }
}

/// A text datum of `bytes`, in the current memory context.
///
/// # Safety
/// Called in a backend, with a current memory context.
unsafe fn text_datum(bytes: &[u8]) -> pg_sys::Datum {
    // SAFETY: bytes.len() readable bytes.
    pg_sys::Datum::from(unsafe { pg_sys::cstring_to_text_with_len(bytes.as_ptr().cast(), bytes.len() as i32) })
}

/// The attempt numbers [`crate::attempt_no`] computed for peer `peer` of a result's peer
/// group, if the array is the shape it builds and holds exactly `n` numbers. Anything else
/// (a hand-made array) yields `None`, and the rows get a NULL attempt_no.
///
/// # Safety
/// `array` is an int4[] datum valid for the call.
unsafe fn attempt_numbers<'a>(array: pg_sys::Datum, peer: i64, n: usize) -> Option<&'a [i32]> {
    // SAFETY: an array datum; detoasting returns it or a copy in the current context.
    let array = unsafe { pg_sys::pg_detoast_datum(array.cast_mut_ptr()) }.cast::<pg_sys::ArrayType>();
    // SAFETY: a detoasted array's header.
    let (ndim, dataoffset, elemtype) = unsafe { ((*array).ndim, (*array).dataoffset, (*array).elemtype) };
    if ndim != 1 || dataoffset != 0 || elemtype != pg_sys::INT4OID {
        return None;
    }
    let base = array.cast::<u8>();
    // SAFETY: a one-dimensional array's length follows the header (ARR_DIMS).
    let len = usize::try_from(unsafe { *base.add(std::mem::size_of::<pg_sys::ArrayType>()).cast::<i32>() }).ok()?;
    // SAFETY: ARR_DATA_PTR of a one-dimensional array without a NULL bitmap, len elements.
    let numbers = unsafe {
        let data = base.add(pg_sys::MAXALIGN(std::mem::size_of::<pg_sys::ArrayType>() + 8));
        std::slice::from_raw_parts(data.cast::<i32>(), len)
    };
    crate::attempt_no::peer_numbers(numbers, peer).filter(|s| s.len() == n)
}

v1_info!(pg_finfo_attempt_elements);
/// `attempt_elements(result_json jsonb, attempt_nos integer[], peer bigint)`: one row per
/// kept element of the result (position, item_id, correct, response_time_ms, hint_used,
/// topic_id, attempt_no). `attempt_nos` and `peer` come from the `attempt_no` window of the
/// view; without them attempt_no is NULL.
///
/// # Safety
/// Called by PostgreSQL's function manager as a set-returning function.
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn attempt_elements(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    // SAFETY: a set-returning call.
    let (store, desc) = unsafe { materialize(fcinfo, "attempt_elements") };
    // SAFETY: argument 0 of the call.
    let Some(result_json) = (unsafe { arg(fcinfo, 0) }) else { return pg_sys::Datum::from(0) };
    // SAFETY: a jsonb datum of the call.
    unsafe {
        with_rows(result_json, |parsed| {
            let numbers = match (arg(fcinfo, 1), arg(fcinfo, 2)) {
                (Some(array), Some(peer)) => attempt_numbers(array, peer.value() as i64, parsed.rows.len()),
                _ => None,
            };
            for (k, row) in parsed.rows.iter().enumerate() {
                let topic = parsed.topic(row).map(|s| text_datum(s));
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
        })
    };
    pg_sys::Datum::from(0)
}

/// The result-level verdict of a call's (id_is_null, user_id, completed_at) arguments at
/// `first`, `first + 1`, `first + 2`.
///
/// # Safety
/// `fcinfo` has those arguments, of types boolean, text and timestamptz.
unsafe fn result_arguments(fcinfo: pg_sys::FunctionCallInfo, first: usize) -> Option<(&'static str, &'static str)> {
    // SAFETY: the call's arguments, of the declared types.
    unsafe {
        let id_is_null = arg(fcinfo, first).is_some_and(|d| d.value() != 0);
        let user_id = arg(fcinfo, first + 1).map(|d| {
            let text = pg_sys::pg_detoast_datum_packed(d.cast_mut_ptr());
            std::slice::from_raw_parts(varlena::vardata_any(text).cast::<u8>(), varlena::varsize_any_exhdr(text))
        });
        let completed_at = arg(fcinfo, first + 2).map(|d| d.value() as i64);
        result_rejection(id_is_null, user_id, completed_at)
    }
}

v1_info!(pg_finfo_attempt_result_kept);
/// `attempt_result_kept(id_is_null boolean, user_id text, completed_at timestamptz)`: true
/// when an exam result passes the result-level rules of docs/SPEC.md §5.
///
/// # Safety
/// Called by PostgreSQL's function manager.
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn attempt_result_kept(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    // SAFETY: the declared arguments.
    pg_sys::Datum::from(unsafe { result_arguments(fcinfo, 0) }.is_none())
}

/// numeric_out's OID (F_NUMERIC_OUT, fixed in pg_proc.dat).
const NUMERIC_OUT: pg_sys::Oid = pg_sys::Oid::from_u32(1702);

/// A `question_id` as `attempt_rejects` shows it: `(element -> 'question_id') #>> '{}'`.
///
/// # Safety
/// The value's pointers are valid.
unsafe fn question_id_text(value: Value) -> pg_sys::Datum {
    match value {
        // SAFETY: valid bytes.
        Value::String(s) => unsafe { text_datum(s) },
        Value::Bool(b) => unsafe { text_datum(if b { b"true" } else { b"false" }) },
        // SAFETY: a numeric datum inside the jsonb; numeric_out returns a palloc'd C string.
        Value::Number(_, numeric) => unsafe {
            let out = pg_sys::OidOutputFunctionCall(NUMERIC_OUT, pg_sys::Datum::from(numeric));
            pg_sys::Datum::from(pg_sys::cstring_to_text(out))
        },
        // SAFETY: a container inside the jsonb; JsonbToCString returns a palloc'd C string.
        Value::Container(c) => unsafe {
            pg_sys::Datum::from(pg_sys::cstring_to_text(pg_sys::JsonbToCString(std::ptr::null_mut(), c, -1)))
        },
        Value::Null => unreachable!("a JSON null question_id is shown as NULL"),
    }
}

v1_info!(pg_finfo_attempt_element_rejects);
/// `attempt_element_rejects(result_json jsonb, id_is_null boolean, user_id text,
/// completed_at timestamptz)`: the rows of `attempt_rejects` for one exam result
/// (position, question_id, field, reason, action): every element dropped, with the first
/// reason, and every optional field of a kept element defaulted, one row each; one
/// `questions` row for a result without a questions array.
///
/// # Safety
/// Called by PostgreSQL's function manager as a set-returning function.
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn attempt_element_rejects(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    // SAFETY: a set-returning call with the declared arguments.
    let (store, desc) = unsafe { materialize(fcinfo, "attempt_element_rejects") };
    // SAFETY: as above.
    let dropped = unsafe { result_arguments(fcinfo, 1) };
    let put = |position: Option<i32>, question_id: Option<Value>, field: &str, reason: &str, action: &str| {
        // SAFETY: text datums in the current context, put into the call's store.
        unsafe {
            let mut values = [
                pg_sys::Datum::from(position.unwrap_or(0)),
                question_id.map_or(pg_sys::Datum::from(0), |v| question_id_text(v)),
                text_datum(field.as_bytes()),
                text_datum(reason.as_bytes()),
                text_datum(action.as_bytes()),
            ];
            let mut nulls = [position.is_none(), question_id.is_none(), false, false, false];
            pg_sys::tuplestore_putvalues(store, desc, values.as_mut_ptr(), nulls.as_mut_ptr());
        }
    };
    // SAFETY: argument 0, a jsonb datum, detoasted for the length of the call.
    let jsonb = unsafe { arg(fcinfo, 0) }
        .map(|d| unsafe { pg_sys::pg_detoast_datum(d.cast_mut_ptr()) }.cast::<pg_sys::Jsonb>());
    let reports = match jsonb {
        None => Err(crate::elements::QuestionsProblem::Missing),
        // SAFETY: a detoasted jsonb that outlives the reports.
        Some(j) => unsafe { element_reports(j, dropped) },
    };
    match reports {
        Err(problem) => put(None, None, "questions", problem.reason(), "dropped"),
        Ok(reports) => {
            for report in reports {
                match &report.verdict {
                    Verdict::Dropped(field, reason) => {
                        put(Some(report.position), report.question_id, field, reason, "dropped")
                    }
                    Verdict::Kept(element) => {
                        for (field, reason) in element.defaulted() {
                            put(Some(report.position), report.question_id, field, reason, "defaulted");
                        }
                    }
                }
            }
        }
    }
    pg_sys::Datum::from(0)
}

/// The pg_tests run the SQL that ships: the harness installed the extension from the
/// built install script before any test could create `exam_results`, so it waits for its
/// source (check_function_bodies is off for the harness, as in a restore: src/lib.rs).
#[cfg(any(test, feature = "pg_test"))]
#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;

    fn count(query: &str) -> i64 {
        Spi::get_one::<i64>(query).unwrap().unwrap()
    }

    #[pg_test]
    fn the_shipped_views_complete_with_their_source() {
        assert_eq!(count("SELECT count(*) FROM public.attempt_lock_config"), 0, "pending: no source yet");
        assert_eq!(count("SELECT count(*) FROM public.attempt"), 0);
        Spi::run(
            "CREATE TABLE public.exam_results (id bigint PRIMARY KEY, user_id text, session_id text,
                 created_at timestamptz, updated_at timestamptz, result_json jsonb);
             INSERT INTO public.exam_results VALUES
                 (1, 'student-42', 's', '2026-01-01 10:00+00', NULL,
                  '{\"questions\": [{\"question_id\": 7, \"is_correct\": true, \"time_spent_sec\": 1.5},
                                    {\"question_id\": \"x\"}, {\"question_id\": 7}, {\"question_id\": 8, \"topic\": 3}]}')",
        )
        .unwrap();
        assert_eq!(count("SELECT count(*) FROM public.attempt_lock_config WHERE attached"), 1, "completed");
        let row = Spi::get_two::<i64, i32>(
            "SELECT id, response_time_ms FROM public.attempt WHERE item_id = 7",
        )
        .unwrap();
        // docs/SPEC.md §4: attempt_id('1', '7'); 1.5 s is 1500 ms.
        let expected = crate::hash::attempt_id(b"1", b"7");
        assert_eq!(row, (Some(expected), Some(1500)));
        assert_eq!(count("SELECT count(*) FROM public.attempt"), 2);
        let rejects: Vec<String> = Spi::connect(|c| {
            c.select(
                "SELECT \"position\" || ' ' || field || ' ' || reason || ' ' || action
                   FROM public.attempt_rejects ORDER BY \"position\", field",
                None,
                &[],
            )
            .unwrap()
            .map(|r| r.get::<String>(1).unwrap().unwrap())
            .collect()
        });
        assert_eq!(
            rejects,
            [
                "1 question_id question_id is not an integer dropped",
                "2 question_id duplicate question_id dropped",
                "3 topic not a string defaulted",
            ]
        );
    }
}
