//! attempt_lock_guard_start(): the native ddl_command_start event trigger function, and the
//! statement checks it runs.

use super::dependencies::{cstr, describe, walk, with_catalog_search_path, Addr, Hit};
use crate::fmgr::v1_info;
use crate::error::AttemptLockError;
use crate::guc::LOCK_OVERRIDE;
use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::spi::SpiError;
use std::ffi::CStr;

// `DROP ... CASCADE` that reaches a member of attempt_lock makes PostgreSQL drop the whole
// extension, its own sql_drop and ddl_command_end triggers included, so only
// ddl_command_start can refuse it. This function decides from the parse tree and
// pg_depend, not from the query text:
//
// - DropStmt: each named object is resolved with get_object_address(); a member of
//   attempt_lock is refused outright (our 55000 instead of PostgreSQL's 2BP01); with
//   CASCADE, the dependents are walked the way findDependentObjects() would, and the
//   statement is refused if the walk reaches the extension or one of its members.
//   `DROP EXTENSION attempt_lock` passes.
// - AlterTableStmt: `DROP COLUMN ... CASCADE`, the same walk from the column (and the
//   inherited columns of child tables when the statement recurses).
// - DropOwnedStmt with CASCADE: the same walk from every object the roles own in this
//   database (owning a member, or the extension itself, is a hit at once).
// - AlterExtensionContentsStmt on attempt_lock (ADD/DROP): refused at start.
//
// Everything else returns after a node-tag check. Under the superuser override the
// refusal becomes attempt_lock_refuse()'s WARNING and log row.
//
// SQL declares it `LANGUAGE c AS 'MODULE_PATHNAME', 'attempt_lock_guard_start_native'`
// from release 1.1 on: the symbol must stay exported for as long as 1.1 can be installed.

const GUARD_FUNCTION: &str = "attempt_lock_guard_start()";
const EXTENSION: &CStr = c"attempt_lock";
/// The sentence every refusal's DETAIL ends with (as in attempt_lock_refuse()).
const LOCKED_DETAIL: &str =
    "Only GRANT, REVOKE and COMMENT may touch the locked objects outside the extension's scripts.";

v1_info!(pg_finfo_attempt_lock_guard_start_native);

/// The ddl_command_start event trigger function. Returns NULL (event triggers return
/// nothing); refuses by raising SQLSTATE 55000.
///
/// # Safety
/// Called by PostgreSQL's function manager only, with a valid `fcinfo`.
#[pg_guard]
#[no_mangle]
pub unsafe extern "C-unwind" fn attempt_lock_guard_start_native(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    // SAFETY: fcinfo comes from the function manager; its context is checked before it
    // is read as event trigger data, which lives for the call.
    let data = unsafe {
        let context = if fcinfo.is_null() { std::ptr::null_mut() } else { (*fcinfo).context };
        if context.is_null() || (*context).type_ != pg_sys::NodeTag::T_EventTriggerData {
            AttemptLockError::NotEventTrigger { function: GUARD_FUNCTION }.report(None);
        }
        &*(context as *const pg_sys::EventTriggerData)
    };
    // SAFETY: the event trigger data of this call.
    if let Err(err) = unsafe { guard_start(data) } {
        let detail = match &err {
            AttemptLockError::LockedObject { detail: Some(d), .. } => {
                Some(format!("{d} {LOCKED_DETAIL}"))
            }
            AttemptLockError::LockedObject { detail: None, .. } => Some(LOCKED_DETAIL.into()),
            _ => None,
        };
        err.report(detail);
    }
    pg_sys::Datum::from(0usize)
}

/// A refusal decided at ddl_command_start.
struct Refusal {
    command: String,
    object: String,
    detail: Option<String>,
    /// Under the superuser override: true, log it and warn here (attempt_lock_refuse());
    /// false, let it pass silently here because someone else reports it (PostgreSQL's own
    /// 2BP01 for a member, the ddl_command_end guard for ALTER EXTENSION ADD/DROP).
    log_under_override: bool,
}

unsafe fn guard_start(data: &pg_sys::EventTriggerData) -> Result<(), AttemptLockError> {
    // SAFETY: the event trigger data PostgreSQL passed, its parse tree, and backend globals read in the backend's own thread.
    unsafe {
        let tree = data.parsetree;
        if tree.is_null() {
            return Ok(());
        }
        let node_tag = (*tree).type_;
        if !matches!(
            node_tag,
            pg_sys::NodeTag::T_DropStmt
                | pg_sys::NodeTag::T_AlterTableStmt
                | pg_sys::NodeTag::T_DropOwnedStmt
                | pg_sys::NodeTag::T_AlterExtensionContentsStmt
        ) {
            return Ok(());
        }
        // pg_upgrade's schema restore re-adds the members one by one (ALTER EXTENSION ADD).
        if pg_sys::IsBinaryUpgrade {
            return Ok(());
        }
        let ext = pg_sys::get_extension_oid(EXTENSION.as_ptr(), true);
        if ext == pg_sys::InvalidOid {
            return Ok(());
        }
        // Our own install and update scripts (exactly: the extension being created or updated
        // is attempt_lock; another extension's script is checked like any statement), and the
        // incremental store's switch.
        if (pg_sys::creating_extension && pg_sys::CurrentExtensionObject == ext)
            || super::maintenance::maintenance_running()
        {
            return Ok(());
        }
        let command = command_tag(data.tag);
        let refusal = match node_tag {
            pg_sys::NodeTag::T_DropStmt => {
                check_drop(ext, &*(tree as *const pg_sys::DropStmt), &command)?
            }
            pg_sys::NodeTag::T_AlterTableStmt => {
                check_alter_table(ext, &*(tree as *const pg_sys::AlterTableStmt), &command)?
            }
            pg_sys::NodeTag::T_DropOwnedStmt => {
                check_drop_owned(ext, &*(tree as *const pg_sys::DropOwnedStmt), &command)?
            }
            pg_sys::NodeTag::T_AlterExtensionContentsStmt => check_extension_contents(
                &*(tree as *const pg_sys::AlterExtensionContentsStmt),
                &command,
            ),
            _ => None,
        };
        match refusal {
            None => Ok(()),
            Some(r) => refuse(ext, r),
        }
    }
}

/// Refuse, or under the override (setting on AND superuser) warn and log instead.
unsafe fn refuse(ext: pg_sys::Oid, r: Refusal) -> Result<(), AttemptLockError> {
    // SAFETY: superuser() and the override setting, read in the backend's thread.
    unsafe {
        if LOCK_OVERRIDE.get() && pg_sys::superuser() {
            if r.log_under_override {
                call_refuse_sql(ext, &r).map_err(|e| failed(&r.command, "attempt_lock_refuse()", e))?;
            }
            return Ok(());
        }
        Err(AttemptLockError::LockedObject { command: r.command, object: r.object, detail: r.detail })
    }
}

/// `@extschema@.attempt_lock_refuse(tag, object, detail)`: under the override it inserts
/// the row into attempt_lock_override_log and raises the WARNING (and, should its own
/// check disagree, it raises the refusal itself).
fn call_refuse_sql(ext: pg_sys::Oid, r: &Refusal) -> Result<(), SpiError> {
    with_catalog_search_path(|| {
        Spi::connect_mut(|client| {
            let schema = client
                .select(
                    "SELECT pg_catalog.quote_ident(n.nspname) \
                 FROM pg_catalog.pg_extension AS e \
                 JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace \
                 WHERE e.oid = $1",
                    Some(1),
                    &[ext.into()],
                )?
                .first()
                .get_one::<String>()?
                .ok_or(SpiError::NoTupleTable)?;
            let query = format!("SELECT {schema}.attempt_lock_refuse($1, $2, $3)");
            client.update(
                query.as_str(),
                None,
                &[r.command.clone().into(), r.object.clone().into(), r.detail.clone().into()],
            )?;
            Ok(())
        })
    })
}

fn failed(command: &str, what: &str, e: SpiError) -> AttemptLockError {
    AttemptLockError::LockCheckFailed { command: command.to_string(), what: format!("{what}: {e}") }
}

// --- the statements -----------------------------------------------------------------

unsafe fn check_drop(
    ext: pg_sys::Oid,
    stmt: &pg_sys::DropStmt,
    command: &str,
) -> Result<Option<Refusal>, AttemptLockError> {
    // SAFETY: the statement's parse tree, valid during the event trigger; catalog lookups in the backend.
    unsafe {
        let objects = list_nodes(stmt.objects);
        if stmt.removeType == pg_sys::ObjectType::OBJECT_EXTENSION
            && objects.iter().any(|&o| string_value(o).as_deref() == Some("attempt_lock"))
        {
            // DROP EXTENSION attempt_lock [, other ...]: the extension goes as a whole.
            return Ok(None);
        }
        let mut starts = Vec::with_capacity(objects.len());
        for &object in &objects {
            let Some(addr) = resolve(stmt.removeType, object) else { continue };
            if pg_sys::getExtensionOfObject(addr.class, addr.obj) == ext {
                return Ok(Some(Refusal {
                    command: command.to_string(),
                    object: describe(addr),
                    detail: Some(
                        "It is a member of extension attempt_lock; it goes only with DROP \
                         EXTENSION attempt_lock."
                            .into(),
                    ),
                    log_under_override: false,
                }));
            }
            starts.push(addr);
        }
        if stmt.behavior != pg_sys::DropBehavior::DROP_CASCADE || starts.is_empty() {
            return Ok(None);
        }
        let cascade = format!("{command} ... CASCADE");
        let hit = walk(ext, &starts).map_err(|e| failed(&cascade, "dependency walk", e))?;
        Ok(hit.map(|h| cascade_refusal(&cascade, &h, None)))
    }
}

unsafe fn check_alter_table(
    ext: pg_sys::Oid,
    stmt: &pg_sys::AlterTableStmt,
    command: &str,
) -> Result<Option<Refusal>, AttemptLockError> {
    // SAFETY: the statement's parse tree, valid during the event trigger; catalog lookups in the backend.
    unsafe {
        let mut columns: Vec<String> = Vec::new();
        for cmd in list_nodes(stmt.cmds) {
            if cmd.is_null() || (*cmd).type_ != pg_sys::NodeTag::T_AlterTableCmd {
                continue;
            }
            let cmd = &*(cmd as *const pg_sys::AlterTableCmd);
            if cmd.subtype == pg_sys::AlterTableType::AT_DropColumn
                && cmd.behavior == pg_sys::DropBehavior::DROP_CASCADE
                && !cmd.name.is_null()
            {
                columns.push(CStr::from_ptr(cmd.name).to_string_lossy().into_owned());
            }
        }
        if columns.is_empty() || stmt.relation.is_null() {
            return Ok(None);
        }
        let relid = pg_sys::RangeVarGetRelidExtended(
            stmt.relation,
            pg_sys::NoLock as pg_sys::LOCKMODE,
            pg_sys::RVROption::RVR_MISSING_OK,
            None,
            std::ptr::null_mut(),
        );
        if relid == pg_sys::InvalidOid {
            return Ok(None); // PostgreSQL reports the missing table (or skips it, IF EXISTS)
        }
        let recurse = (*stmt.relation).inh;
        let cascade = format!("{command} ... CASCADE");
        let starts = with_catalog_search_path(|| {
            Spi::connect(|client| {
                // The column, and, when the statement recurses, the child columns PostgreSQL
                // drops with it (inherited only: not local, inherited once; ATExecDropColumn).
                let rows = client.select(
                    "WITH RECURSIVE cols(relid, attnum) AS ( \
                         SELECT a.attrelid, a.attnum FROM pg_catalog.pg_attribute AS a \
                         WHERE a.attrelid = $1 AND a.attname::pg_catalog.text = ANY ($2::pg_catalog.text[]) \
                           AND a.attnum > 0 AND NOT a.attisdropped \
                         UNION \
                         SELECT c.attrelid, c.attnum \
                         FROM cols AS p \
                         JOIN pg_catalog.pg_attribute AS pa ON pa.attrelid = p.relid AND pa.attnum = p.attnum \
                         JOIN pg_catalog.pg_inherits AS i ON i.inhparent = p.relid \
                         JOIN pg_catalog.pg_attribute AS c ON c.attrelid = i.inhrelid \
                          AND c.attname = pa.attname AND NOT c.attisdropped \
                         WHERE $3 AND NOT c.attislocal AND c.attinhcount = 1 \
                     ) \
                     SELECT relid, attnum::pg_catalog.int4 FROM cols",
                    None,
                    &[relid.into(), columns.clone().into(), recurse.into()],
                )?;
                let mut starts = Vec::new();
                for row in rows {
                    let (Some(obj), Some(sub)) = (row.get::<pg_sys::Oid>(1)?, row.get::<i32>(2)?)
                    else {
                        continue;
                    };
                    starts.push(Addr { class: pg_sys::RelationRelationId, obj, sub });
                }
                Ok::<_, SpiError>(starts)
            })
        })
        .map_err(|e| failed(&cascade, "column lookup", e))?;
        if starts.is_empty() {
            return Ok(None);
        }
        let hit = walk(ext, &starts).map_err(|e| failed(&cascade, "dependency walk", e))?;
        Ok(hit.map(|h| cascade_refusal(&cascade, &h, None)))
    }
}

unsafe fn check_drop_owned(
    ext: pg_sys::Oid,
    stmt: &pg_sys::DropOwnedStmt,
    command: &str,
) -> Result<Option<Refusal>, AttemptLockError> {
    // SAFETY: the statement's parse tree, valid during the event trigger; catalog lookups in the backend.
    unsafe {
        if stmt.behavior != pg_sys::DropBehavior::DROP_CASCADE {
            return Ok(None);
        }
        let mut roles: Vec<pg_sys::Oid> = Vec::new();
        for role in list_nodes(stmt.roles) {
            if role.is_null() || (*role).type_ != pg_sys::NodeTag::T_RoleSpec {
                continue;
            }
            let oid = pg_sys::get_rolespec_oid(role as *const pg_sys::RoleSpec, true);
            if oid != pg_sys::InvalidOid {
                roles.push(oid);
            }
        }
        if roles.is_empty() {
            return Ok(None); // PostgreSQL reports the unknown role
        }
        let cascade = format!("{command} ... CASCADE");
        let database = pg_sys::MyDatabaseId;
        // Rule: DROP OWNED BY r CASCADE drops every object r owns in this database (pg_shdepend
        // 'o'); it is refused when the same walk as DROP ... CASCADE, started from all of
        // them, reaches attempt_lock or one of its members (owning one is a hit at once).
        let owned = with_catalog_search_path(|| {
            Spi::connect(|client| {
                let rows = client.select(
                    "SELECT sd.classid, sd.objid, sd.refobjid \
                 FROM pg_catalog.pg_shdepend AS sd \
                 WHERE sd.dbid = $1 AND sd.deptype = 'o' \
                   AND sd.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass \
                   AND sd.refobjid = ANY ($2::pg_catalog.oid[])",
                    None,
                    &[database.into(), roles.clone().into()],
                )?;
                let mut owned = Vec::new();
                for row in rows {
                    let (Some(class), Some(obj), Some(role)) = (
                        row.get::<pg_sys::Oid>(1)?,
                        row.get::<pg_sys::Oid>(2)?,
                        row.get::<pg_sys::Oid>(3)?,
                    ) else {
                        continue;
                    };
                    owned.push((Addr { class, obj, sub: 0 }, role));
                }
                Ok::<_, SpiError>(owned)
            })
        })
        .map_err(|e| failed(&cascade, "owned objects lookup", e))?;
        if owned.is_empty() {
            return Ok(None);
        }
        let starts: Vec<Addr> = owned.iter().map(|(a, _)| *a).collect();
        let hit = walk(ext, &starts).map_err(|e| failed(&cascade, "dependency walk", e))?;
        Ok(hit.map(|h| {
            let start = h.path[0];
            let owner = owned.iter().find(|(a, _)| *a == start).map(|(_, r)| role_name(*r));
            cascade_refusal(&cascade, &h, owner)
        }))
    }
}

unsafe fn check_extension_contents(
    stmt: &pg_sys::AlterExtensionContentsStmt,
    command: &str,
) -> Option<Refusal> {
    // SAFETY: the statement's parse tree, valid during the event trigger.
    unsafe {
        if stmt.extname.is_null() || CStr::from_ptr(stmt.extname) != EXTENSION {
            return None;
        }
        // PostgreSQL reports a missing object (or one of the wrong kind) itself.
        let addr = resolve(stmt.objtype, stmt.object)?;
        let (verb, detail) = if stmt.action > 0 {
            ("ADD", "Objects cannot be added to extension attempt_lock by hand.")
        } else {
            ("DROP", "Members cannot be detached from extension attempt_lock by hand.")
        };
        Some(Refusal {
            command: format!("{command} {verb}"),
            object: describe(addr),
            detail: Some(detail.into()),
            // the ddl_command_end guard (attempt_lock_guard_objects) logs it, once
            log_under_override: false,
        })
    }
}

/// The refusal of a cascade that reaches the extension.
fn cascade_refusal(cascade: &str, hit: &Hit, owner: Option<String>) -> Refusal {
    let start = hit.path[0];
    let reached = *hit.path.last().unwrap_or(&start);
    let start_text = describe(start);
    let reached_text = describe(reached);
    let object = if reached == start {
        reached_text.clone()
    } else {
        format!("{reached_text} (reached through {start_text})")
    };
    let consequence = if reached.sub != 0 {
        format!("PostgreSQL would drop {reached_text} with it.")
    } else {
        "PostgreSQL would drop the whole extension attempt_lock with it.".to_string()
    };
    let mut detail = match owner {
        Some(role) => format!(
            "Role {role} owns {start_text}, which the statement drops with CASCADE; {consequence}"
        ),
        None => format!("The statement names {start_text} with CASCADE; {consequence}"),
    };
    if hit.path.len() > 2 {
        let path: Vec<String> = hit.path.iter().map(|a| describe(*a)).collect();
        detail.push_str(&format!(" Dependency path: {}.", path.join(" -> ")));
    }
    Refusal { command: cascade.to_string(), object, detail: Some(detail), log_under_override: true }
}

// --- small helpers around the C API ---------------------------------------------------


/// Resolves an object named in a statement, as RemoveObjects() / RemoveRelations() would;
/// None when it does not exist or has the wrong kind (PostgreSQL then reports that
/// itself, with its own message). Takes no lock that outlives the call.
unsafe fn resolve(objtype: pg_sys::ObjectType::Type, object: *mut pg_sys::Node) -> Option<Addr> {
    // SAFETY: a name list from the parse tree; get_object_address() with missing_ok, its locks released here.
    unsafe {
        use pg_sys::ObjectType as T;
        if object.is_null() {
            return None;
        }
        let kinds: Option<&[u8]> = match objtype {
            T::OBJECT_TABLE => Some(b"rp"),
            T::OBJECT_VIEW => Some(b"v"),
            T::OBJECT_MATVIEW => Some(b"m"),
            T::OBJECT_SEQUENCE => Some(b"S"),
            T::OBJECT_FOREIGN_TABLE => Some(b"f"),
            T::OBJECT_INDEX => Some(b"iI"),
            _ => None,
        };
        if let Some(kinds) = kinds {
            // get_object_address() would raise "... is not a table" without PostgreSQL's HINT
            let range = pg_sys::makeRangeVarFromNameList(object as *mut pg_sys::List);
            let relid = pg_sys::RangeVarGetRelidExtended(
                range,
                pg_sys::NoLock as pg_sys::LOCKMODE,
                pg_sys::RVROption::RVR_MISSING_OK,
                None,
                std::ptr::null_mut(),
            );
            if relid == pg_sys::InvalidOid || !kinds.contains(&(pg_sys::get_rel_relkind(relid) as u8)) {
                return None;
            }
        }
        let lockmode = pg_sys::AccessShareLock as pg_sys::LOCKMODE;
        let mut rel: pg_sys::Relation = std::ptr::null_mut();
        let address = pg_sys::get_object_address(objtype, object, &mut rel, lockmode, true);
        if !rel.is_null() {
            pg_sys::relation_close(rel, lockmode); // closes and unlocks
        }
        if address.objectId == pg_sys::InvalidOid {
            return None;
        }
        if address.classId != pg_sys::RelationRelationId {
            // get_object_address() locked the object itself
            if pg_sys::IsSharedRelation(address.classId) {
                pg_sys::UnlockSharedObject(address.classId, address.objectId, 0, lockmode);
            } else {
                pg_sys::UnlockDatabaseObject(address.classId, address.objectId, 0, lockmode);
            }
        }
        Some(Addr { class: address.classId, obj: address.objectId, sub: address.objectSubId })
    }
}


fn role_name(role: pg_sys::Oid) -> String {
    // SAFETY: syscache lookup, noerr.
    unsafe { cstr(pg_sys::GetUserNameFromId(role, true)) }
        .map(pgrx::spi::quote_identifier)
        .unwrap_or_else(|| format!("with OID {}", role.to_u32()))
}

unsafe fn command_tag(tag: pg_sys::CommandTag::Type) -> String {
    // SAFETY: a command tag of the event trigger data; GetCommandTagName returns a static string.
    unsafe {
        cstr(pg_sys::GetCommandTagName(tag)).unwrap_or_else(|| "DDL".to_string())
    }
}

unsafe fn list_nodes(list: *mut pg_sys::List) -> Vec<*mut pg_sys::Node> {
    // SAFETY: a List from the parse tree (or NULL).
    unsafe {
        if list.is_null() {
            return Vec::new();
        }
        (0..(*list).length).map(|i| pg_sys::list_nth(list, i) as *mut pg_sys::Node).collect()
    }
}

/// The value of a String node (names in DROP SCHEMA / DROP EXTENSION ...).
unsafe fn string_value(node: *mut pg_sys::Node) -> Option<String> {
    // SAFETY: a node from the parse tree (or NULL), tagged before the cast.
    unsafe {
        if node.is_null() || (*node).type_ != pg_sys::NodeTag::T_String {
            return None;
        }
        // PostgreSQL 15 split the Value node into String, Integer, ...; 14 has Value, whose
        // union holds the string for tag T_String.
        #[cfg(feature = "pg14")]
        return cstr((*(node as *const pg_sys::Value)).val.str_);
        #[cfg(not(feature = "pg14"))]
        return cstr((*(node as *const pg_sys::String)).sval);
    }
}
