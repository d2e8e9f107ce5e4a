//! attempt_lock: the V1 `attempt` view of an exam platform, locked into the database.
//!
//! The SQL objects live in the frozen scripts under `sql/install/` and `sql/upgrade/`; this
//! crate provides the native functions they reference. Keep every exported symbol that a
//! released script names: older versions must stay installable and upgradable.

use pgrx::prelude::*;

mod fmgr;

mod attempt_no;
mod contract;
mod elements;
mod error;
mod guc;
mod hash;
mod lock;
mod numeric;
mod parsed;

pgrx::pg_module_magic!();

#[pg_guard]
pub extern "C-unwind" fn _PG_init() {
    guc::define();
}

#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}
