//! The changes to the extension's members made outside an install or update script: the
//! incremental store's switch, and pointing the views at their source table (completing
//! an install that waited for it in a restore, re-pointing them after a table swap). Each is a native function that raises, for the length of one
//! call of its SQL body, the flag `attempt_lock_in_script()` reads, so the lock lets
//! exactly those statements through. Called directly, the SQL bodies meet the lock like
//! any other DDL. All are superuser-only (EXECUTE is also revoked from PUBLIC).

use crate::error::AttemptLockError;
use pgrx::datum::DatumWithOid;
use pgrx::prelude::*;
use std::cell::Cell;

thread_local! {
    static RUNNING: Cell<bool> = const { Cell::new(false) };
}

/// True while one of this module's functions runs its SQL body in this backend.
pub(super) fn maintenance_running() -> bool {
    RUNNING.with(Cell::get)
}

/// Lowers the flag however the call ends: an ERROR inside it unwinds through here.
struct Running;

impl Running {
    fn start() -> Self {
        RUNNING.with(|s| s.set(true));
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.with(|s| s.set(false));
    }
}

/// `schema.function` for a function of this extension, quoted.
fn qualified(function: &str) -> String {
    format!("{}.{function}", super::extension_schema())
}

/// Runs `SELECT body(args...)` with the flag raised, as a superuser; its one value.
fn run_body<T: IntoDatum + FromDatum>(caller: &'static str, body: &str, args: &[DatumWithOid]) -> Option<T> {
    // SAFETY: a catalog lookup of the current user, in the backend's thread.
    if !unsafe { pg_sys::superuser() } {
        AttemptLockError::NotSuperuser { function: caller }.report(None);
    }
    let placeholders: Vec<String> = (1..=args.len()).map(|i| format!("${i}")).collect();
    let query = format!("SELECT {}({})", qualified(body), placeholders.join(", "));
    let _running = Running::start();
    Spi::get_one_with_args::<T>(&query, args).unwrap_or_else(|e| pgrx::error!("attempt_lock: {caller} failed: {e}"))
}

/// `attempt_store_enable(batch_size)`: the store on, backfilled; the rows stored.
#[pg_extern(volatile, parallel_unsafe, sql = false)]
fn attempt_store_enable(batch_size: default!(Option<i32>, 10000)) -> Option<i64> {
    run_body("attempt_store_enable()", "attempt_store_switch_on", &[batch_size.into()])
}

/// `attempt_store_disable()`: the store off; false if it was off already.
#[pg_extern(volatile, parallel_unsafe, sql = false)]
fn attempt_store_disable() -> Option<bool> {
    run_body("attempt_store_disable()", "attempt_store_switch_off", &[])
}

/// `attempt_store_rebuild()`: the store off and on again; the rows stored.
#[pg_extern(volatile, parallel_unsafe, sql = false)]
fn attempt_store_rebuild() -> Option<i64> {
    run_body("attempt_store_rebuild()", "attempt_store_rebuild_body", &[])
}

/// `attempt_source_attach(source_table)`: the views read `source_table` (the recorded
/// source when NULL); the source, resolved with the caller's search_path.
#[pg_extern(volatile, parallel_unsafe, sql = false)]
fn attempt_source_attach(source_table: default!(Option<&str>, "NULL")) -> Option<pg_sys::Oid> {
    // pg_upgrade's schema restore creates the source while the recorded configuration is
    // still on its way (the data files come later): nothing to attach then.
    // SAFETY: a backend-local global, read in the backend's thread.
    if unsafe { pg_sys::IsBinaryUpgrade } {
        return None;
    }
    let source = source_table.map(|name| {
        Spi::get_one_with_args::<pg_sys::Oid>("SELECT pg_catalog.to_regclass($1)::pg_catalog.oid", &[name.into()])
            .ok()
            .flatten()
            .unwrap_or_else(|| AttemptLockError::SourceTableMissing { table: name.into() }.report(None))
    });
    run_body("attempt_source_attach()", "attempt_source_attach_body", &[source.into()])
}

/// `attempt_source_detach()`: the views read no table until the next attach.
#[pg_extern(volatile, parallel_unsafe, sql = false)]
fn attempt_source_detach() {
    run_body::<bool>("attempt_source_detach()", "attempt_source_detach_body", &[]);
}
