//! Typed errors of the extension. They become `ereport`s with a specific SQLSTATE only at
//! the SQL boundary ([`AttemptLockError::report`]), never XX000.

use pgrx::pg_sys::panic::ErrorReport;
use pgrx::{PgLogLevel, PgSqlErrorCode};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptLockError {
    SourceTableMissing { table: String },
    /// The source names a view, materialized view, foreign table or anything but a table:
    /// what it would run for every reader is not ours to vet.
    SourceNotATable { table: String, kind: &'static str },
    SourceColumnMissing { table: String, column: &'static str, expected: Expected },
    SourceColumnWrongType { table: String, column: &'static str, found: String, expected: Expected },
    /// The lock refuses a statement (same wording as `attempt_lock_refuse()`); `detail` is
    /// the statement-specific part of the DETAIL, without the standing sentence.
    LockedObject { command: String, object: String, detail: Option<String> },
    /// A lock function declared `RETURNS event_trigger` was called some other way.
    NotEventTrigger { function: &'static str },
    /// A store trigger function was called other than as a trigger.
    NotTrigger { function: &'static str },
    /// A store trigger function fired by a trigger the store's switch did not make.
    ForeignTrigger { function: &'static str, trigger: String, table: String },
    /// The lock could not check a statement (it refuses it rather than let it through).
    LockCheckFailed { command: String, what: String },
    /// A maintenance function (the store's switch, completing an install) was called by a
    /// role that is not a superuser.
    NotSuperuser { function: &'static str },
    /// This build's PostgreSQL major lacks a feature the extension's safety rests on
    /// (only the pg14 build raises it: contract.rs, SERVER_REFUSAL).
    #[cfg_attr(not(feature = "pg14"), allow(dead_code))]
    UnsupportedServer { major: u32, missing: &'static str },
}

/// The types a source column may have; the first is the one a HINT recommends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected(pub &'static [&'static str]);

impl Expected {
    pub fn recommended(&self) -> &'static str {
        self.0[0]
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" or "))
    }
}

impl AttemptLockError {
    pub fn sqlstate(&self) -> PgSqlErrorCode {
        match self {
            Self::SourceTableMissing { .. } => PgSqlErrorCode::ERRCODE_UNDEFINED_TABLE,
            Self::SourceNotATable { .. } => PgSqlErrorCode::ERRCODE_WRONG_OBJECT_TYPE,
            Self::SourceColumnMissing { .. } => PgSqlErrorCode::ERRCODE_UNDEFINED_COLUMN,
            Self::SourceColumnWrongType { .. } => PgSqlErrorCode::ERRCODE_DATATYPE_MISMATCH,
            Self::LockedObject { .. } => PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            Self::NotEventTrigger { .. } => {
                PgSqlErrorCode::ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED
            }
            Self::LockCheckFailed { .. } => PgSqlErrorCode::ERRCODE_TRIGGERED_ACTION_EXCEPTION,
            Self::NotTrigger { .. } => PgSqlErrorCode::ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
            Self::ForeignTrigger { .. } => PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            Self::NotSuperuser { .. } => PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            Self::UnsupportedServer { .. } => PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
        }
    }

    pub fn hint(&self) -> String {
        match self {
            Self::SourceTableMissing { table } => format!(
                "Create {table} first, or SET attempt_lock.source_table = 'schema.table' to name \
                 the source, then CREATE EXTENSION attempt_lock again."
            ),
            Self::SourceNotATable { .. } => "Name an ordinary or partitioned table (SET \
                 attempt_lock.source_table = 'schema.table'); a view's query would run with the \
                 privileges of every role that reads attempt."
                .to_string(),
            Self::SourceColumnMissing { table, column, expected } => format!(
                "ALTER TABLE {table} ADD COLUMN {column} {}, then CREATE EXTENSION \
                 attempt_lock again.",
                expected.recommended()
            ),
            Self::SourceColumnWrongType { table, column, expected, .. } => format!(
                "ALTER TABLE {table} ALTER COLUMN {column} TYPE {}, then CREATE \
                 EXTENSION attempt_lock again.",
                expected.recommended()
            ),
            Self::LockedObject { .. } => "Change the locked objects by installing a new version \
                                          and running ALTER EXTENSION attempt_lock UPDATE."
                .to_string(),
            Self::NotEventTrigger { function } => format!(
                "{function} is an event trigger function: only CREATE EVENT TRIGGER may call it."
            ),
            Self::LockCheckFailed { .. } => "The statement was refused because the lock could \
                                             not check it; please report this as a bug."
                .to_string(),
            Self::NotTrigger { function } => {
                format!("{function} is a trigger function: only a trigger may call it.")
            }
            Self::ForeignTrigger { trigger, table, .. } => format!(
                "It runs only as the incremental store's own triggers, which attempt_store_enable() \
                 makes on the source table: DROP TRIGGER {trigger} ON {table};"
            ),
            Self::NotSuperuser { function } => format!("Run SELECT {function} as a superuser."),
            Self::UnsupportedServer { major, .. } => format!(
                "Install attempt_lock on PostgreSQL 15 or later (pg_upgrade this cluster first); \
                 on PostgreSQL {major} the views would read the source table with their \
                 owner's privileges, not the querying role's."
            ),
        }
    }

    /// Raise this error in PostgreSQL; `detail` carries context such as the full list of
    /// problems. Never returns.
    pub fn report(&self, detail: Option<String>) -> ! {
        let mut report = ErrorReport::new(self.sqlstate(), self.to_string(), "attempt_lock")
            .set_hint(self.hint());
        if let Some(detail) = detail {
            report = report.set_detail(detail);
        }
        report.report(PgLogLevel::ERROR);
        unreachable!("ereport(ERROR) returned")
    }

    /// The problem itself, without the "attempt_lock: " prefix of the error message.
    pub fn problem(&self) -> String {
        match self {
            Self::SourceTableMissing { table } => format!("source table {table} does not exist"),
            Self::SourceNotATable { table, kind } => {
                format!("source {table} is a {kind}, not a table")
            }
            Self::SourceColumnMissing { table, column, expected } => {
                format!("source table {table} has no column {column} (expected {expected})")
            }
            Self::SourceColumnWrongType { table, column, found, expected } => {
                format!("source column {table}.{column} has type {found}, expected {expected}")
            }
            Self::LockedObject { command, object, .. } => {
                format!("{command} refused: {object} is locked by extension attempt_lock")
            }
            Self::NotEventTrigger { function } => {
                format!("{function} was not called by the event trigger manager")
            }
            Self::LockCheckFailed { command, what } => {
                format!("{command} refused: the lock could not check the statement: {what}")
            }
            Self::NotTrigger { function } => format!("{function} was not called by the trigger manager"),
            Self::ForeignTrigger { function, trigger, table } => {
                format!("{function} refuses to run as trigger {trigger} on {table}")
            }
            Self::NotSuperuser { function } => format!("only a superuser may call {function}"),
            Self::UnsupportedServer { major, missing } => {
                format!("PostgreSQL {major} is not supported: it has no {missing}")
            }
        }
    }
}

impl fmt::Display for AttemptLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "attempt_lock: {}", self.problem())
    }
}
