//! Settings. All are superuser-only (PGC_SUSET): an ordinary role cannot switch the lock
//! off, choose the source table or adopt a view, even in its own session.
//!
//! `attempt_lock.source_table` and `attempt_lock.adopt_existing_view` decide what
//! `CREATE EXTENSION` reads and replaces, so they are honoured only when SET in the session
//! by a superuser. PostgreSQL does not record who ran `ALTER DATABASE/ROLE ... SET`, and a
//! database owner may run it: a value from such a default (or from postgresql.conf, or a
//! placeholder set before the library was loaded) is refused by the check hook, with a
//! WARNING where it is applied, and the setting keeps its default.

use pgrx::guc::{GucContext, GucFlags, GucRegistry, GucSetting};
use pgrx::pg_sys;
use std::ffi::{c_char, c_void, CString};

pub static LOCK_OVERRIDE: GucSetting<bool> = GucSetting::<bool>::new(false);
pub static SOURCE_TABLE: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(None);
pub static ADOPT_EXISTING_VIEW: GucSetting<bool> = GucSetting::<bool>::new(false);

/// Accepts a value only when a superuser SETs it in the session (the default too, which is
/// how RESET and the end of SET LOCAL restore it).
///
/// # Safety
/// Called by the GUC machinery in the backend's thread, within a transaction when the
/// source is a SET.
unsafe fn session_superuser_only(source: pg_sys::GucSource::Type) -> bool {
    if source == pg_sys::GucSource::PGC_S_DEFAULT {
        return true;
    }
    // SAFETY: a SET runs inside a transaction, where superuser() may read the catalog.
    if source == pg_sys::GucSource::PGC_S_SESSION && unsafe { pg_sys::superuser() } {
        return true;
    }
    // SAFETY: the GUC machinery reads and frees these strings (palloc'd in its context).
    unsafe {
        pg_sys::GUC_check_errdetail_string = pg_sys::pstrdup(
            c"It is honoured only when SET in the session by a superuser: database and role \
              defaults, postgresql.conf and values set before attempt_lock was loaded are \
              ignored."
                .as_ptr(),
        );
        pg_sys::GUC_check_errhint_string =
            pg_sys::pstrdup(c"SET it in the session that runs CREATE EXTENSION attempt_lock.".as_ptr());
    }
    false
}

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn check_string_in_session(
    _newval: *mut *mut c_char,
    _extra: *mut *mut c_void,
    source: pg_sys::GucSource::Type,
) -> bool {
    // SAFETY: called by the GUC machinery.
    unsafe { session_superuser_only(source) }
}

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn check_bool_in_session(
    _newval: *mut bool,
    _extra: *mut *mut c_void,
    source: pg_sys::GucSource::Type,
) -> bool {
    // SAFETY: called by the GUC machinery.
    unsafe { session_superuser_only(source) }
}

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
    // SAFETY: the hooks are guarded and only read their arguments and the current role.
    unsafe {
        GucRegistry::define_string_guc_with_hooks(
            c"attempt_lock.source_table",
            c"The source table CREATE EXTENSION attempt_lock reads (default: exam_results in \
              the extension's schema).",
            c"Read only while the extension is created, and only when SET in that session by \
              a superuser; the choice is recorded in attempt_lock_config.",
            &SOURCE_TABLE,
            GucContext::Suset,
            GucFlags::default(),
            Some(check_string_in_session),
            None,
            None,
        );
        GucRegistry::define_bool_guc_with_hooks(
            c"attempt_lock.adopt_existing_view",
            c"Lets CREATE EXTENSION attempt_lock replace an existing view named attempt, \
              keeping the views built on it and the grants (docs/ADOPTING.md).",
            c"Read only while the extension is created, and only when SET in that session by \
              a superuser; the old definitions are kept in attempt_lock_history.",
            &ADOPT_EXISTING_VIEW,
            GucContext::Suset,
            GucFlags::default(),
            Some(check_bool_in_session),
            None,
            None,
        );
    }
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
    // SAFETY: as above.
    unsafe {
        pgrx::pg_sys::EmitWarningsOnPlaceholders(c"attempt_lock".as_ptr())
    };
}

/// The GUC record of a built-in setting.
///
/// # Safety
/// Called in a backend, after GUC initialization.
#[cfg(any(feature = "pg14", feature = "pg15"))]
unsafe fn guc_record(name: &std::ffi::CStr) -> Option<*mut pg_sys::config_generic> {
    // SAFETY: the array of every GUC record and its length, read in the backend's thread.
    unsafe {
        let all = pg_sys::get_guc_variables();
        let n = pg_sys::GetNumConfigOptions() as usize;
        (0..n).map(|i| *all.add(i)).find(|&g| std::ffi::CStr::from_ptr((*g).name) == name)
    }
}

/// # Safety
/// As above.
#[cfg(not(any(feature = "pg14", feature = "pg15")))]
unsafe fn guc_record(name: &std::ffi::CStr) -> Option<*mut pg_sys::config_generic> {
    // SAFETY: a lookup that neither creates nor raises.
    let g = unsafe { pg_sys::find_option(name.as_ptr(), false, true, pgrx::PgLogLevel::ERROR as i32) };
    (!g.is_null()).then_some(g)
}

/// `attempt_lock_restoring()`: whether the session running CREATE EXTENSION had
/// check_function_bodies off, as pg_dump's output and pg_restore set it: a restore, which
/// creates the extension before its source table. The install script cannot read that
/// itself: PostgreSQL runs every extension script with the setting off, SAVEd on the
/// setting's stack over the caller's value (execute_extension_script), so the caller's
/// value is the prior value of that entry, or the current one when the caller had it off
/// already (then nothing was pushed).
#[pgrx::pg_extern(stable, parallel_safe, sql = false)]
fn attempt_lock_restoring() -> bool {
    // SAFETY: the setting's record and its stack, read in the backend's thread.
    unsafe {
        let Some(record) = guc_record(c"check_function_bodies") else { return false };
        let stack = (*record).stack;
        let callers = if !stack.is_null() && (*stack).state == pg_sys::GucStackState::GUC_SAVE {
            (*stack).prior.val.boolval
        } else {
            pg_sys::check_function_bodies
        };
        !callers
    }
}
