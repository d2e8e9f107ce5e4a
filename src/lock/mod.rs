//! Native parts of the DDL lock (the other event triggers are in the install script; see
//! docs/OPERATIONS.md, "The lock").

use pgrx::prelude::*;

mod dependencies;
mod guard_start;
mod maintenance;

/// True while an install or update script of attempt_lock itself is running, or one of
/// the native maintenance functions (the store's switch, the completion of a pending
/// install): the lock's triggers let exactly those statements through. This reads the
/// server's own `creating_extension` state, which plain SQL cannot see, and a flag only
/// those functions can raise.
#[pg_extern(volatile, parallel_restricted, sql = false)]
fn attempt_lock_in_script() -> bool {
    // SAFETY: plain reads of backend-local globals, in the backend's own thread.
    let in_script = unsafe {
        pg_sys::creating_extension
            && pg_sys::CurrentExtensionObject
                == pg_sys::get_extension_oid(c"attempt_lock".as_ptr(), true)
    };
    in_script || maintenance::maintenance_running()
}

/// The extension's schema, quoted.
pub(crate) fn extension_schema() -> String {
    // Runs under the caller's search_path (a superuser's, who may put public first):
    // operators are qualified, so nothing planted there runs with the caller's rights.
    Spi::get_one::<String>(
        "SELECT pg_catalog.quote_ident(n.nspname)
           FROM pg_catalog.pg_extension AS e
           JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
          WHERE e.extname OPERATOR(pg_catalog.=) 'attempt_lock'::pg_catalog.name",
    )
    .ok()
    .flatten()
    .unwrap_or_else(|| pgrx::error!("attempt_lock: the extension is not installed in this database"))
}
