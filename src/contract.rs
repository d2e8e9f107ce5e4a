//! The V1 contract as data: the eleven columns of `attempt` and the source contract of
//! `exam_results`. This is the single source for the install-time source check, for
//! `attempt_health()` and for the tests (docs/SPEC.md §2–3).

use crate::error::{AttemptLockError, Expected};
use pgrx::prelude::*;

/// One column of the V1 `attempt` view.
pub struct ViewColumn {
    pub name: &'static str,
    /// As `pg_catalog.format_type(atttypid, NULL)` spells it.
    pub data_type: &'static str,
    pub never_null: bool,
}

pub const V1_COLUMNS: [ViewColumn; 11] = [
    ViewColumn { name: "id", data_type: "bigint", never_null: true },
    ViewColumn { name: "student_id", data_type: "uuid", never_null: true },
    ViewColumn { name: "item_id", data_type: "bigint", never_null: true },
    ViewColumn { name: "correct", data_type: "boolean", never_null: true },
    ViewColumn { name: "response_time_ms", data_type: "integer", never_null: true },
    ViewColumn { name: "hint_used", data_type: "boolean", never_null: true },
    ViewColumn { name: "completed_at", data_type: "timestamp with time zone", never_null: true },
    ViewColumn { name: "started_at", data_type: "timestamp with time zone", never_null: true },
    ViewColumn { name: "attempt_no", data_type: "integer", never_null: true },
    ViewColumn { name: "session_id", data_type: "text", never_null: false },
    ViewColumn { name: "topic_id", data_type: "text", never_null: false },
];

/// One required column of the source table.
pub struct SourceColumn {
    pub name: &'static str,
    /// Accepted types, as `format_type(atttypid, NULL)` spells them; the first is the one
    /// the HINT recommends.
    pub accepted_types: &'static [&'static str],
}

const TEXT_LIKE: &[&str] = &["text", "character varying"];
const TIMESTAMPTZ: &[&str] = &["timestamp with time zone"];

pub const SOURCE_COLUMNS: [SourceColumn; 6] = [
    SourceColumn {
        name: "id",
        accepted_types: &["uuid", "bigint", "integer", "text", "character varying"],
    },
    SourceColumn { name: "user_id", accepted_types: TEXT_LIKE },
    SourceColumn { name: "session_id", accepted_types: TEXT_LIKE },
    SourceColumn { name: "created_at", accepted_types: TIMESTAMPTZ },
    SourceColumn { name: "updated_at", accepted_types: TIMESTAMPTZ },
    SourceColumn { name: "result_json", accepted_types: &["jsonb"] },
];

/// Every way `columns` (name, type) of `table` breaks the source contract, in contract order.
pub fn source_problems(table: &str, columns: &[(String, String)]) -> Vec<AttemptLockError> {
    SOURCE_COLUMNS
        .iter()
        .filter_map(|wanted| {
            let expected = Expected(wanted.accepted_types);
            match columns.iter().find(|(name, _)| name == wanted.name) {
                None => Some(AttemptLockError::SourceColumnMissing {
                    table: table.to_owned(),
                    column: wanted.name,
                    expected,
                }),
                Some((_, found)) if !wanted.accepted_types.contains(&found.as_str()) => {
                    Some(AttemptLockError::SourceColumnWrongType {
                        table: table.to_owned(),
                        column: wanted.name,
                        found: found.clone(),
                        expected,
                    })
                }
                Some(_) => None,
            }
        })
        .collect()
}

/// The earliest `completed_at` a kept result may have: 4713-01-01 00:00 UTC BC, in
/// microseconds since 2000-01-01 (`to_timestamp(-210863520000)`). Anything earlier would
/// put `started_at` (at most 24.9 days earlier) below the timestamptz minimum, 4714-11-24 BC.
const EARLIEST_COMPLETED_AT: i64 = (-210_863_520_000 - 946_684_800) * 1_000_000;
/// `-infinity` (DT_NOBEGIN): not finite, so not out of range.
const MINUS_INFINITY: i64 = i64::MIN;

/// The result-level rules of docs/SPEC.md §5: why a whole exam result is dropped, as
/// (field, reason), or `None` when it is kept. `user_id` is its text's bytes,
/// `completed_at` `COALESCE(updated_at, created_at)` as a timestamptz.
pub fn result_rejection(
    id_is_null: bool,
    user_id: Option<&[u8]>,
    completed_at: Option<i64>,
) -> Option<(&'static str, &'static str)> {
    // btrim(user_id, E' \t\n\r\f\x0b') = ''
    let blank = |u: &[u8]| u.iter().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c | 0x0b));
    if id_is_null {
        Some(("id", "exam_results.id is NULL"))
    } else if user_id.is_none_or(blank) {
        Some(("user_id", "user_id is NULL or blank"))
    } else if completed_at.is_none() {
        Some(("completed_at", "created_at and updated_at are both NULL"))
    } else if completed_at.is_some_and(|t| t < EARLIEST_COMPLETED_AT && t != MINUS_INFINITY) {
        Some(("completed_at", "completed_at is out of range"))
    } else {
        None
    }
}

/// Why this build refuses to install, if it does. PostgreSQL 14 has no `security_invoker`
/// views (added in 15): there, `attempt` and `attempt_rejects` would read the source table
/// with their owner's privileges instead of the querying role's, bypassing its GRANTs and
/// row-level security. attempt_lock refuses to install there rather than widen access.
#[cfg(feature = "pg14")]
const SERVER_REFUSAL: Option<AttemptLockError> =
    Some(AttemptLockError::UnsupportedServer { major: 14, missing: "security_invoker views" });
#[cfg(not(feature = "pg14"))]
const SERVER_REFUSAL: Option<AttemptLockError> = None;

/// What a relation kind (pg_class.relkind) is, when it is not a table the source may be.
fn not_a_table(relkind: u8) -> Option<&'static str> {
    match relkind {
        b'r' | b'p' => None,
        b'v' => Some("view"),
        b'm' => Some("materialized view"),
        b'f' => Some("foreign table"),
        b'S' => Some("sequence"),
        b'c' => Some("composite type"),
        b'i' | b'I' => Some("index"),
        _ => Some("relation of another kind"),
    }
}

/// A source table as the catalog has it.
struct Source {
    oid: pg_sys::Oid,
    relkind: u8,
    /// (name, type) of every live column, in order.
    columns: Vec<(String, String)>,
}

impl Source {
    /// Every way it breaks the source contract: its kind first, then its columns.
    fn problems(&self, table: &str) -> Vec<AttemptLockError> {
        match not_a_table(self.relkind) {
            Some(kind) => vec![AttemptLockError::SourceNotATable { table: table.to_owned(), kind }],
            None => source_problems(table, &self.columns),
        }
    }
}

/// The relation `table` names, or None when there is none.
fn source(table: &str) -> Option<Source> {
    Spi::connect(|client| {
        let row = client
            .select(
                // Operators qualified: the function runs under the caller's search_path
                // (it resolves the table name with it), where public may come first.
                "SELECT c.oid, c.relkind::pg_catalog.text FROM pg_catalog.pg_class AS c
                  WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1)",
                None,
                &[table.into()],
            )
            .ok()?
            .first();
        let oid = row.get::<pg_sys::Oid>(1).ok().flatten()?;
        let relkind = row.get::<String>(2).ok().flatten()?.bytes().next().unwrap_or(b'?');
        let columns = client
            .select(
                "SELECT attname::text, pg_catalog.format_type(atttypid, NULL)
                   FROM pg_catalog.pg_attribute
                  WHERE attrelid OPERATOR(pg_catalog.=) $1
                    AND attnum OPERATOR(pg_catalog.>) 0::pg_catalog.int2
                    AND NOT attisdropped
                  ORDER BY attnum",
                None,
                &[oid.into()],
            )
            .ok()?
            .map(|row| {
                (
                    row.get::<String>(1).ok().flatten().unwrap_or_default(),
                    row.get::<String>(2).ok().flatten().unwrap_or_default(),
                )
            })
            .collect();
        Some(Source { oid, relkind, columns })
    })
}

/// The eleven V1 columns, in order: what `attempt` must look like.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn attempt_contract() -> TableIterator<
    'static,
    (
        name!(position, i32),
        name!(column_name, &'static str),
        name!(data_type, &'static str),
        name!(never_null, bool),
    ),
> {
    TableIterator::new(
        V1_COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| (i as i32 + 1, c.name, c.data_type, c.never_null)),
    )
}

/// Every way the source table breaks the source contract, one row per problem; no rows
/// when it is sound. Never raises (a missing table is a row too).
#[pg_extern(stable, strict, parallel_safe, sql = false)]
fn attempt_source_problems(
    source_table: &str,
) -> TableIterator<'static, (name!(column_name, Option<String>), name!(problem, String))> {
    let problems = match source(source_table) {
        None => {
            vec![(None, AttemptLockError::SourceTableMissing { table: source_table.into() })]
        }
        Some(found) => found
            .problems(source_table)
            .into_iter()
            .map(|p| {
                let column = match &p {
                    AttemptLockError::SourceColumnMissing { column, .. }
                    | AttemptLockError::SourceColumnWrongType { column, .. } => {
                        Some((*column).to_owned())
                    }
                    _ => None,
                };
                (column, p)
            })
            .collect(),
    };
    TableIterator::new(problems.into_iter().map(|(column, p)| (column, p.problem())))
}

/// The install-time source check: returns the source table, or raises the first problem
/// with its SQLSTATE and HINT (and every problem in the DETAIL).
///
/// Every install script calls it before it creates a view, so it is also where a build for
/// a server the views cannot be made safe on refuses the whole install (see
/// [`SERVER_REFUSAL`]): the script runs in one transaction, nothing stays behind.
#[pg_extern(stable, strict, parallel_safe, sql = false)]
fn attempt_lock_check_source(source_table: &str) -> pg_sys::Oid {
    if let Some(refusal) = SERVER_REFUSAL {
        refusal.report(None)
    }
    let Some(found) = source(source_table) else {
        AttemptLockError::SourceTableMissing { table: source_table.into() }.report(None)
    };
    let problems = found.problems(source_table);
    if let Some(first) = problems.first() {
        let detail = (problems.len() > 1).then(|| {
            let all: Vec<String> = problems.iter().map(AttemptLockError::problem).collect();
            format!("All problems: {}.", all.join("; "))
        });
        first.report(detail)
    }
    found.oid
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    fn cols(spec: &[(&str, &str)]) -> Vec<(String, String)> {
        spec.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect()
    }

    const SOUND: &[(&str, &str)] = &[
        ("id", "uuid"),
        ("user_id", "text"),
        ("session_id", "text"),
        ("created_at", "timestamp with time zone"),
        ("updated_at", "timestamp with time zone"),
        ("result_json", "jsonb"),
    ];

    #[test]
    fn sound_source_has_no_problems() {
        assert!(source_problems("exam_results", &cols(SOUND)).is_empty());
        let mut extra = cols(SOUND);
        extra.push(("score".into(), "numeric".into()));
        extra[0].1 = "bigint".into();
        assert!(source_problems("exam_results", &extra).is_empty());
    }

    #[test]
    fn wrong_type_and_missing_columns_are_reported_in_contract_order() {
        let mut columns = cols(SOUND);
        columns.retain(|(n, _)| n != "user_id");
        columns.iter_mut().find(|(n, _)| n == "created_at").unwrap().1 =
            "timestamp without time zone".into();
        let problems = source_problems("exam_results", &columns);
        assert_eq!(problems.len(), 2);
        assert_eq!(
            problems[0].to_string(),
            "attempt_lock: source table exam_results has no column user_id \
             (expected text or character varying)"
        );
        assert_eq!(
            problems[1].to_string(),
            "attempt_lock: source column exam_results.created_at has type timestamp without \
             time zone, expected timestamp with time zone"
        );
        assert_eq!(problems[1].sqlstate(), PgSqlErrorCode::ERRCODE_DATATYPE_MISMATCH);
        assert!(problems[1].hint().contains("ALTER COLUMN created_at TYPE timestamp with time zone"));
        assert!(problems[0].hint().contains("ADD COLUMN user_id text,"));
    }

    #[test]
    fn only_tables_may_be_the_source() {
        let view = Source { oid: pg_sys::Oid::INVALID, relkind: b'v', columns: cols(SOUND) };
        let problems = view.problems("dbo_s.src");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].sqlstate(), PgSqlErrorCode::ERRCODE_WRONG_OBJECT_TYPE);
        assert_eq!(problems[0].to_string(), "attempt_lock: source dbo_s.src is a view, not a table");
        for (kind, ok) in [(b'r', true), (b'p', true), (b'm', false), (b'f', false)] {
            let source = Source { oid: pg_sys::Oid::INVALID, relkind: kind, columns: cols(SOUND) };
            assert_eq!(source.problems("t").is_empty(), ok, "relkind {}", kind as char);
        }
    }

    #[test]
    fn only_the_pg14_build_refuses_to_install() {
        assert_eq!(SERVER_REFUSAL.is_some(), cfg!(feature = "pg14"));
        let refusal =
            AttemptLockError::UnsupportedServer { major: 14, missing: "security_invoker views" };
        assert_eq!(refusal.sqlstate(), PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED);
        assert_eq!(
            refusal.to_string(),
            "attempt_lock: PostgreSQL 14 is not supported: it has no security_invoker views"
        );
        assert!(refusal.hint().starts_with("Install attempt_lock on PostgreSQL 15 or later"));
    }

    #[test]
    fn result_level_rules_in_spec_order() {
        let now = Some(0);
        assert_eq!(result_rejection(false, Some(b"alice"), now), None);
        assert_eq!(result_rejection(true, None, None), Some(("id", "exam_results.id is NULL")));
        for blank in [&b""[..], b" ", b"\t\n\r\x0c\x0b "] {
            assert_eq!(result_rejection(false, Some(blank), now).unwrap().0, "user_id");
        }
        assert_eq!(result_rejection(false, None, now).unwrap().0, "user_id");
        // U+00A0 is not blank to btrim's set.
        assert_eq!(result_rejection(false, Some("\u{a0}".as_bytes()), now), None);
        assert_eq!(
            result_rejection(false, Some(b"a"), None),
            Some(("completed_at", "created_at and updated_at are both NULL"))
        );
        assert_eq!(result_rejection(false, Some(b"a"), Some(EARLIEST_COMPLETED_AT)), None);
        assert_eq!(
            result_rejection(false, Some(b"a"), Some(EARLIEST_COMPLETED_AT - 1)),
            Some(("completed_at", "completed_at is out of range"))
        );
        assert_eq!(result_rejection(false, Some(b"a"), Some(i64::MIN)), None);
        assert_eq!(result_rejection(false, Some(b"a"), Some(i64::MAX)), None);
    }

    #[test]
    fn contract_has_eleven_columns_in_spec_order() {
        let names: Vec<_> = V1_COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            [
                "id", "student_id", "item_id", "correct", "response_time_ms", "hint_used",
                "completed_at", "started_at", "attempt_no", "session_id", "topic_id"
            ]
        );
        assert_eq!(V1_COLUMNS.iter().filter(|c| !c.never_null).count(), 2);
    }
}
