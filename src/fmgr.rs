//! Plumbing for the plain V1 C functions (the hashes, the view functions, the attempt_no
//! aggregate): the per-row functions skip `#[pg_extern]`'s argument conversion, which
//! would copy and UTF-8-check every text and deserialize every jsonb.

use pgrx::pg_sys;

/// Declares the `pg_finfo_<symbol>` record PostgreSQL looks up for a V1 C function.
macro_rules! v1_info {
    ($info:ident) => {
        #[no_mangle]
        #[doc(hidden)]
        pub extern "C" fn $info() -> &'static pg_sys::Pg_finfo_record {
            const V1_API: pg_sys::Pg_finfo_record = pg_sys::Pg_finfo_record { api_version: 1 };
            &V1_API
        }
    };
}
pub(crate) use v1_info;

/// Argument `n`, or `None` when it is NULL.
///
/// # Safety
/// `fcinfo` is the call's, and the function takes at least `n + 1` arguments.
pub unsafe fn arg(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> Option<pg_sys::Datum> {
    // SAFETY: the call has at least n + 1 arguments.
    let a = unsafe { (*fcinfo).args.as_slice(n + 1)[n] };
    (!a.isnull).then_some(a.value)
}

/// Argument `n` of a STRICT function, which PostgreSQL never calls with a NULL.
///
/// # Safety
/// As for [`arg`], and the function is declared STRICT.
pub unsafe fn strict_arg(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> pg_sys::Datum {
    // SAFETY: the call has at least n + 1 arguments.
    unsafe { (*fcinfo).args.as_slice(n + 1)[n].value }
}
