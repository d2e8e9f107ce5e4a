//! The pg_depend walk behind the DROP guard: what a DROP ... CASCADE would reach.

use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::spi::SpiError;
use std::collections::HashSet;
use std::ffi::{c_char, CStr};

/// An object address, as in pg_depend (classid, objid, objsubid).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(super) struct Addr {
    pub(super) class: pg_sys::Oid,
    pub(super) obj: pg_sys::Oid,
    pub(super) sub: i32,
}

impl Addr {
    pub(super) fn as_object_address(self) -> pg_sys::ObjectAddress {
        pg_sys::ObjectAddress { classId: self.class, objectId: self.obj, objectSubId: self.sub }
    }
}

/// Where the walk reached the extension: the path from a start object to the member (or
/// the extension itself) it reached.
pub(super) struct Hit {
    pub(super) path: Vec<Addr>,
}

/// Walks pg_depend from `starts` the way findDependentObjects() does for DROP ... CASCADE,
/// level by level (one query per level), and returns the first member of the extension
/// (or the extension itself) it reaches. Edges followed:
/// - dependents (rows whose ref is the object; with a sub-object only rows on that
///   sub-object): deptypes n, a (dropped by CASCADE), i, e, x, P, S (always dropped);
/// - owners (rows of the object itself with deptype i or e): an internal part (a view's
///   _RETURN rule, a table's row type, ...) or a member of an extension cannot be dropped
///   alone, PostgreSQL drops the owning object instead; a member reached this way is how
///   DROP TABLE exam_results CASCADE becomes "drop cascades to extension attempt_lock".
pub(super) fn walk(ext: pg_sys::Oid, starts: &[Addr]) -> Result<Option<Hit>, SpiError> {
    let mut nodes: Vec<Addr> = Vec::new();
    let mut parent: Vec<Option<usize>> = Vec::new();
    let mut seen: HashSet<Addr> = HashSet::new();
    let mut frontier: Vec<usize> = Vec::new();
    for &s in starts {
        if seen.insert(s) {
            frontier.push(nodes.len());
            nodes.push(s);
            parent.push(None);
        }
    }
    with_catalog_search_path(|| {
        Spi::connect(|client| {
            // Level 0: a start object that is a member (DROP OWNED of a member's owner).
            let locked0 = {
                let (c, o, s, i) = columns(&nodes, &frontier);
                let rows = client.select(
                "SELECT f.i FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.oid[]), \
                     pg_catalog.unnest($2::pg_catalog.oid[]), pg_catalog.unnest($3::pg_catalog.int4[]), \
                     pg_catalog.unnest($4::pg_catalog.int4[])) AS f(c, o, s, i) \
                 WHERE (f.c = 'pg_catalog.pg_extension'::pg_catalog.regclass AND f.o = $5) \
                    OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS e \
                               WHERE e.classid = f.c AND e.objid = f.o AND e.objsubid = 0 \
                                 AND e.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass \
                                 AND e.refobjid = $5 AND e.deptype = 'e')",
                None,
                &[c.into(), o.into(), s.into(), i.into(), ext.into()],
            )?;
                let mut hits = Vec::new();
                for row in rows {
                    if let Some(i) = row.get::<i32>(1)? {
                        hits.push(i as usize);
                    }
                }
                hits
            };
            if let Some(best) = best_hit(ext, &nodes, &locked0) {
                return Ok(Some(Hit { path: path_to(best, &nodes, &parent) }));
            }
            while !frontier.is_empty() {
                let (c, o, s, i) = columns(&nodes, &frontier);
                let rows = client.select(
                "WITH f(c, o, s, i) AS ( \
                     SELECT * FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.oid[]), \
                         pg_catalog.unnest($2::pg_catalog.oid[]), pg_catalog.unnest($3::pg_catalog.int4[]), \
                         pg_catalog.unnest($4::pg_catalog.int4[])) \
                 ), step(i, c, o, s) AS ( \
                     SELECT f.i, d.classid, d.objid, d.objsubid \
                     FROM f JOIN pg_catalog.pg_depend AS d \
                       ON d.refclassid = f.c AND d.refobjid = f.o \
                      AND (f.s = 0 OR d.refobjsubid = f.s) \
                     WHERE d.deptype IN ('n', 'a', 'i', 'e', 'x', 'P', 'S') \
                     UNION ALL \
                     SELECT f.i, d.refclassid, d.refobjid, d.refobjsubid \
                     FROM f JOIN pg_catalog.pg_depend AS d \
                       ON d.classid = f.c AND d.objid = f.o \
                      AND (f.s = 0 OR d.objsubid = f.s) \
                     WHERE d.deptype IN ('i', 'e') \
                 ) \
                 SELECT st.i, st.c, st.o, st.s, \
                        (st.c = 'pg_catalog.pg_extension'::pg_catalog.regclass AND st.o = $5) \
                        OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS e \
                                   WHERE e.classid = st.c AND e.objid = st.o AND e.objsubid = 0 \
                                     AND e.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass \
                                     AND e.refobjid = $5 AND e.deptype = 'e') \
                 FROM step AS st \
                 ORDER BY 1, 2, 3, 4",
                None,
                &[c.into(), o.into(), s.into(), i.into(), ext.into()],
            )?;
                let mut next = Vec::new();
                let mut hits = Vec::new();
                for row in rows {
                    let (Some(from), Some(class), Some(obj), Some(sub)) = (
                        row.get::<i32>(1)?,
                        row.get::<pg_sys::Oid>(2)?,
                        row.get::<pg_sys::Oid>(3)?,
                        row.get::<i32>(4)?,
                    ) else {
                        continue;
                    };
                    let locked = row.get::<bool>(5)?.unwrap_or(false);
                    let addr = Addr { class, obj, sub };
                    if !seen.insert(addr) {
                        continue;
                    }
                    let idx = nodes.len();
                    nodes.push(addr);
                    parent.push(Some(from as usize));
                    next.push(idx);
                    if locked {
                        hits.push(idx);
                    }
                }
                if let Some(best) = best_hit(ext, &nodes, &hits) {
                    return Ok(Some(Hit { path: path_to(best, &nodes, &parent) }));
                }
                frontier = next;
            }
            Ok(None)
        })
    })
}

/// The frontier as four parallel arrays for unnest(): classid, objid, objsubid, node index.
fn columns(
    nodes: &[Addr],
    frontier: &[usize],
) -> (Vec<pg_sys::Oid>, Vec<pg_sys::Oid>, Vec<i32>, Vec<i32>) {
    let mut c = Vec::with_capacity(frontier.len());
    let mut o = Vec::with_capacity(frontier.len());
    let mut s = Vec::with_capacity(frontier.len());
    let mut i = Vec::with_capacity(frontier.len());
    for &idx in frontier {
        let a = nodes[idx];
        c.push(a.class);
        o.push(a.obj);
        s.push(a.sub);
        i.push(idx as i32);
    }
    (c, o, s, i)
}

/// Of several hits on the same level, the one to name: a member rather than the
/// extension itself, a view before a table before anything else, then by identity.
fn best_hit(ext: pg_sys::Oid, nodes: &[Addr], hits: &[usize]) -> Option<usize> {
    hits.iter()
        .map(|&h| {
            let a = nodes[h];
            let is_ext = a.class == pg_sys::ExtensionRelationId && a.obj == ext;
            let text = describe(a);
            let rank = if text.starts_with("view ") {
                0
            } else if text.starts_with("table ") {
                1
            } else {
                2
            };
            ((is_ext, rank, text), h)
        })
        .min()
        .map(|(_, h)| h)
}

fn path_to(mut idx: usize, nodes: &[Addr], parent: &[Option<usize>]) -> Vec<Addr> {
    let mut path = vec![nodes[idx]];
    while let Some(p) = parent[idx] {
        path.push(nodes[p]);
        idx = p;
    }
    path.reverse();
    path
}

/// Runs `f` (the lock's own SPI queries) with `search_path = pg_catalog, pg_temp`, restored
/// afterwards, as a function's `SET search_path` clause would. The function itself has no
/// such clause: the objects named in the statement must be resolved with the caller's
/// search_path, exactly as the DROP itself resolves them. On an error the (sub)transaction
/// abort restores the setting.
pub(super) fn with_catalog_search_path<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: the same GUC nesting fmgr_security_definer() does for a SET clause.
    let level = unsafe {
        let level = pg_sys::NewGUCNestLevel();
        pg_sys::set_config_option(
            c"search_path".as_ptr(),
            c"pg_catalog, pg_temp".as_ptr(),
            pg_sys::GucContext::PGC_USERSET,
            pg_sys::GucSource::PGC_S_SESSION,
            pg_sys::GucAction::GUC_ACTION_SAVE,
            true,
            0,
            false,
        );
        level
    };
    let result = f();
    // SAFETY: pops exactly the level pushed above.
    unsafe { pg_sys::AtEOXact_GUC(true, level) };
    result
}

/// "type identity", as pg_identify_object() gives them (e.g. "view public.attempt").
pub(super) fn describe(addr: Addr) -> String {
    let object = addr.as_object_address();
    // SAFETY: catalog lookups by address; NULL (missing_ok) handled.
    unsafe {
        let kind = cstr(pg_sys::getObjectTypeDescription(&object, true));
        let identity = cstr(pg_sys::getObjectIdentity(&object, true));
        match (kind, identity) {
            (Some(k), Some(i)) => format!("{k} {i}"),
            _ => format!("object {}/{}/{}", addr.class.to_u32(), addr.obj.to_u32(), addr.sub),
        }
    }
}

pub(super) unsafe fn cstr(p: *const c_char) -> Option<String> {
    // SAFETY: a NUL-terminated C string or NULL, read before it is freed.
    unsafe {
        if p.is_null() {
            None
        } else {
            Some(CStr::from_ptr(p).to_string_lossy().into_owned())
        }
    }
}
