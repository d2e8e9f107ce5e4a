//! The incremental store's switch is the one change to the extension's members
//! made outside an install or update script: it creates or drops the store's schema and
//! tables, adds them to the extension and replaces the view's query. The lock lets it
//! through because only this module can raise the flag it reads, and only for the length
//! of one call of the switch's SQL body (`attempt_store_switch_on/off`). Called directly,
//! that body meets the lock like any other DDL.

use crate::error::AttemptLockError;
use pgrx::prelude::*;
use std::cell::Cell;

thread_local! {
    static SWITCHING: Cell<bool> = const { Cell::new(false) };
}

/// True while `attempt_store_enable()` or `attempt_store_disable()` runs in this backend.
pub(super) fn store_switch_running() -> bool {
    SWITCHING.with(Cell::get)
}

/// Lowers the flag however the switch ends: an ERROR inside it unwinds through here.
struct Switching;

impl Switching {
    fn start() -> Self {
        SWITCHING.with(|s| s.set(true));
        Switching
    }
}

impl Drop for Switching {
    fn drop(&mut self) {
        SWITCHING.with(|s| s.set(false));
    }
}

/// `schema.function` for a function of this extension, quoted.
fn qualified(function: &str) -> String {
    // Runs under the caller's search_path (a superuser's, who may put public first):
    // operators are qualified, so nothing planted there runs with the caller's rights.
    let schema = Spi::get_one::<String>(
        "SELECT pg_catalog.quote_ident(n.nspname)
           FROM pg_catalog.pg_extension AS e
           JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
          WHERE e.extname OPERATOR(pg_catalog.=) 'attempt_lock'::pg_catalog.name",
    )
    .ok()
    .flatten()
    .unwrap_or_else(|| pgrx::error!("attempt_lock: the extension is not installed in this database"));
    format!("{schema}.{function}")
}

/// The switch changes the extension: superusers only (EXECUTE is also revoked from PUBLIC).
fn require_superuser(on: bool) {
    // SAFETY: a catalog lookup of the current user, in the backend's thread.
    if !unsafe { pg_sys::superuser() } {
        AttemptLockError::StoreSwitchNotSuperuser { on }.report(None);
    }
}

/// `attempt_store_enable(batch_size)`: the store on, backfilled; the rows stored.
#[pg_extern(volatile, parallel_unsafe)]
fn attempt_store_enable(batch_size: default!(Option<i32>, 10000)) -> Option<i64> {
    require_superuser(true);
    let query = format!("SELECT {}($1)", qualified("attempt_store_switch_on"));
    let _switching = Switching::start();
    Spi::get_one_with_args::<i64>(&query, &[batch_size.into()]).unwrap_or_else(|e| {
        pgrx::error!("attempt_lock: the store switch failed: {e}")
    })
}

/// `attempt_store_disable()`: the store off; false if it was off already.
#[pg_extern(volatile, parallel_unsafe)]
fn attempt_store_disable() -> Option<bool> {
    require_superuser(false);
    let query = format!("SELECT {}()", qualified("attempt_store_switch_off"));
    let _switching = Switching::start();
    Spi::get_one::<bool>(&query)
        .unwrap_or_else(|e| pgrx::error!("attempt_lock: the store switch failed: {e}"))
}
