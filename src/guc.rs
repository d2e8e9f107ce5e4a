//! Settings. `attempt_lock.override` is superuser-only (PGC_SUSET): an ordinary role
//! cannot switch the lock off, even in its own session.

use pgrx::guc::{GucContext, GucFlags, GucRegistry, GucSetting};
use std::ffi::CString;

pub static LOCK_OVERRIDE: GucSetting<bool> = GucSetting::<bool>::new(false);
pub static SOURCE_TABLE: GucSetting<Option<CString>> =
    GucSetting::<Option<CString>>::new(None);

pub fn define() {

    GucRegistry::define_bool_guc(
        c"attempt_lock.override",
        c"Lets a superuser change objects locked by attempt_lock (emergency only).",
        c"Each use is logged with a WARNING and recorded in attempt_lock_override_log; \
          attempt_health() reports the drift until the definition is restored.",
        &LOCK_OVERRIDE,
        GucContext::Suset,
        GucFlags::default(),
    );
    GucRegistry::define_string_guc(
        c"attempt_lock.source_table",
        c"The source table CREATE EXTENSION attempt_lock reads (default: exam_results in \
          the extension's schema).",
        c"Read only while the extension is created; the choice is recorded in \
          attempt_lock_config.",
        &SOURCE_TABLE,
        GucContext::Userset,
        GucFlags::default(),
    );
    // Unknown attempt_lock.* names are typos: refuse them instead of keeping placeholders.
    // SAFETY: called from _PG_init, in the backend's own thread.
    #[cfg(not(feature = "pg14"))]
    unsafe {
        pgrx::pg_sys::MarkGUCPrefixReserved(c"attempt_lock".as_ptr())
    };
    // PostgreSQL 14 has no reserved prefixes (added in 15): the most it offers is a WARNING
    // for each placeholder already set. attempt_lock refuses to install on 14 anyway
    // (contract.rs); this only keeps the library loadable there.
    #[cfg(feature = "pg14")]
    unsafe {
        pgrx::pg_sys::EmitWarningsOnPlaceholders(c"attempt_lock".as_ptr())
    };
}
