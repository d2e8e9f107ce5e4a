//! The store's hot writes done directly, as PostgreSQL writes its own catalogs
//! (CatalogTupleInsert, CatalogTupleUpdate): the heap tuple, then an entry in each btree
//! index. An SPI statement costs more in executor setup than in the write itself, and the
//! store's triggers run for every write of the source.
//!
//! Only for a table exactly as the switch creates it: the expected columns in order, a
//! heap without triggers, rules or CHECK constraints, that the writer may insert into and
//! update with no row-security policy applying to it, and plain btree indexes on columns
//! (no expression, predicate, exclusion or deferred uniqueness). Anything else (a DBA's extra index, say) makes
//! [`Table::open`] return None and the caller writes through SPI, where PostgreSQL
//! applies it all.

use pgrx::pg_sys;
use std::ffi::CStr;

/// A store table opened for direct writes until [`Table::close`].
pub struct Table {
    rel: pg_sys::Relation,
    indexes: Vec<(pg_sys::Relation, *mut pg_sys::IndexInfo)>,
    slot: *mut pg_sys::TupleTableSlot,
    /// A unique index on the first column alone, for [`Table::lock`].
    key_index: Option<pg_sys::Relation>,
    /// The row [`Table::lock`] locked.
    locked: *mut pg_sys::TupleTableSlot,
}

impl Table {
    /// The table `oid`, if its columns are `columns` (name, type) and nothing but its
    /// heap and btree indexes must see a write.
    ///
    /// # Safety
    /// Called in a backend, inside a transaction.
    pub unsafe fn open(oid: pg_sys::Oid, columns: &[(&CStr, pg_sys::Oid)]) -> Option<Table> {
        // SAFETY: the relation and its indexes opened with the lock an INSERT takes, read
        // through their relcache entries, closed here if unsuitable.
        unsafe {
            if oid == pg_sys::InvalidOid {
                return None;
            }
            let lock = pg_sys::RowExclusiveLock as pg_sys::LOCKMODE;
            let rel = pg_sys::table_open(oid, lock);
            let class = &*(*rel).rd_rel;
            let desc = (*rel).rd_att;
            // pgrx's accessor: PostgreSQL 18 moved the attributes behind compact_attrs.
            let attributes = pgrx::PgTupleDesc::from_pg_unchecked(desc);
            let shaped = class.relkind == pg_sys::RELKIND_RELATION as std::ffi::c_char
                && class.relam == pg_sys::HEAP_TABLE_AM_OID
                && !class.relhastriggers
                && !class.relhasrules
                // NOT NULL holds by construction; a CHECK a DBA added would not be checked.
                && ((*desc).constr.is_null() || (*(*desc).constr).num_check == 0)
                // As an INSERT or UPDATE would: the writer's rights, and no policy on it.
                && pg_sys::pg_class_aclcheck(oid, pg_sys::GetUserId(), (pg_sys::ACL_INSERT | pg_sys::ACL_UPDATE) as pg_sys::AclMode)
                    == pg_sys::AclResult::ACLCHECK_OK
                && pg_sys::check_enable_rls(oid, pg_sys::InvalidOid, false) != pg_sys::CheckEnableRlsResult::RLS_ENABLED as i32
                && (*desc).natts as usize == columns.len()
                && columns.iter().enumerate().all(|(i, (name, typid))| {
                    attributes.get(i).is_some_and(|att| {
                        !att.attisdropped && att.atttypid == *typid && CStr::from_ptr(att.attname.data.as_ptr()) == *name
                    })
                });
            if !shaped {
                pg_sys::table_close(rel, lock);
                return None;
            }
            let mut table =
                Table { rel, indexes: Vec::new(), slot: std::ptr::null_mut(), key_index: None, locked: std::ptr::null_mut() };
            let list = pg_sys::RelationGetIndexList(rel);
            for i in 0..pg_sys::list_length(list) as usize {
                let index = pg_sys::index_open((*(*list).elements.add(i)).oid_value, lock);
                let info = pg_sys::BuildIndexInfo(index);
                table.indexes.push((index, info));
                // A deferred unique check (a deferrable constraint) is the executor's.
                if (*(*index).rd_rel).relam != pg_sys::BTREE_AM_OID
                    || !(*(*index).rd_index).indimmediate
                    || !(*info).ii_Expressions.is_null()
                    || !(*info).ii_Predicate.is_null()
                    || !(*info).ii_ExclusionOps.is_null()
                {
                    table.close();
                    return None;
                }
                if (*info).ii_Unique && (*info).ii_NumIndexAttrs == 1 && (*info).ii_IndexAttrNumbers[0] == 1 {
                    table.key_index = Some(index);
                }
            }
            table.slot = pg_sys::MakeSingleTupleTableSlot(desc, &pg_sys::TTSOpsHeapTuple);
            table.locked = pg_sys::table_slot_create(rel, std::ptr::null_mut());
            Some(table)
        }
    }

    /// Writes a row: one datum (or NULL) per column.
    ///
    /// # Safety
    /// Datums of the columns' types, in the current memory context.
    pub unsafe fn insert(&self, values: &mut [pg_sys::Datum], nulls: &mut [bool]) {
        // SAFETY: a tuple of the table's descriptor, inserted under the current command.
        unsafe {
            let tuple = pg_sys::heap_form_tuple((*self.rel).rd_att, values.as_mut_ptr(), nulls.as_mut_ptr());
            pg_sys::simple_heap_insert(self.rel, tuple);
            self.index(tuple);
        }
    }

    /// Replaces the row at `ctid`, which this transaction has locked (no concurrent
    /// update can come between).
    ///
    /// # Safety
    /// As for [`Table::insert`].
    pub unsafe fn update(&self, mut ctid: pg_sys::ItemPointerData, values: &mut [pg_sys::Datum], nulls: &mut [bool]) {
        // SAFETY: as for insert; a heap-only (HOT) version needs no new index entries.
        unsafe {
            let tuple = pg_sys::heap_form_tuple((*self.rel).rd_att, values.as_mut_ptr(), nulls.as_mut_ptr());
            #[cfg(any(feature = "pg14", feature = "pg15"))]
            let indexes_unchanged = {
                pg_sys::simple_heap_update(self.rel, &mut ctid, tuple);
                (*(*tuple).t_data).t_infomask2 as u32 & pg_sys::HEAP_ONLY_TUPLE != 0
            };
            #[cfg(not(any(feature = "pg14", feature = "pg15")))]
            let indexes_unchanged = {
                let mut update: pg_sys::TU_UpdateIndexes::Type = pg_sys::TU_UpdateIndexes::TU_All;
                pg_sys::simple_heap_update(self.rel, &mut ctid, tuple, &mut update);
                // Btree indexes only: no summarizing index, so a HOT update is TU_None.
                update == pg_sys::TU_UpdateIndexes::TU_None
            };
            if !indexes_unchanged {
                self.index(tuple);
            }
        }
    }

    /// Deletes the row at `ctid`, which this transaction has locked or just read under
    /// its student's lock (no concurrent writer can come between).
    ///
    /// # Safety
    /// Called in a backend, inside a transaction.
    pub unsafe fn delete(&self, mut ctid: pg_sys::ItemPointerData) {
        // SAFETY: a tuple of this table; index entries stay until VACUUM, as for any delete.
        unsafe { pg_sys::simple_heap_delete(self.rel, &mut ctid) }
    }

    /// Locks the row whose first column (a uuid) is `key` as `SELECT ... FOR UPDATE` would
    /// in one statement: found under a new statement snapshot, then locked; in READ
    /// COMMITTED a row updated meanwhile is followed to its latest version, in REPEATABLE
    /// READ and SERIALIZABLE it fails with 40001. The locked row stays in the returned
    /// slot until the next call; None when no row is visible. Needs the key index
    /// ([`Table::can_lock`]).
    ///
    /// # Safety
    /// Called in a trigger, after this transaction's earlier commands.
    pub unsafe fn lock(&self, key: pg_sys::Datum) -> Option<*mut pg_sys::TupleTableSlot> {
        // SAFETY: an index scan under a registered snapshot, ended before the lock;
        // table_tuple_lock fills the slot with the version it locked.
        unsafe {
            let index = self.key_index.expect("checked by can_lock");
            pg_sys::CommandCounterIncrement();
            let snapshot = pg_sys::RegisterSnapshot(pg_sys::GetTransactionSnapshot());
            #[cfg(not(feature = "pg18"))]
            let scan = pg_sys::index_beginscan(self.rel, index, snapshot, 1, 0);
            #[cfg(feature = "pg18")]
            let scan = pg_sys::index_beginscan(self.rel, index, snapshot, std::ptr::null_mut(), 1, 0);
            let mut scankey = pg_sys::ScanKeyData::default();
            pg_sys::ScanKeyInit(&mut scankey, 1, pg_sys::BTEqualStrategyNumber as u16, pg_sys::F_UUID_EQ.into(), key);
            pg_sys::index_rescan(scan, &mut scankey, 1, std::ptr::null_mut(), 0);
            let found = pg_sys::index_getnext_slot(scan, pg_sys::ScanDirection::ForwardScanDirection, self.locked);
            pg_sys::index_endscan(scan);
            let result = if found {
                let xact_snapshot = pg_sys::XactIsoLevel >= pg_sys::XACT_REPEATABLE_READ as i32;
                let flags = if xact_snapshot { 0 } else { pg_sys::TUPLE_LOCK_FLAG_FIND_LAST_VERSION as u8 };
                let mut tid = (*self.locked).tts_tid;
                let mut failure = pg_sys::TM_FailureData::default();
                match pg_sys::table_tuple_lock(
                    self.rel,
                    &mut tid,
                    snapshot,
                    self.locked,
                    pg_sys::GetCurrentCommandId(false),
                    pg_sys::LockTupleMode::LockTupleExclusive,
                    pg_sys::LockWaitPolicy::LockWaitBlock,
                    flags,
                    &mut failure,
                ) {
                    pg_sys::TM_Result::TM_Ok => Some(self.locked),
                    pg_sys::TM_Result::TM_Updated | pg_sys::TM_Result::TM_Deleted if xact_snapshot => {
                        pgrx::ereport!(
                            ERROR,
                            pgrx::PgSqlErrorCode::ERRCODE_T_R_SERIALIZATION_FAILURE,
                            "could not serialize access due to concurrent update"
                        );
                    }
                    // Gone since the scan (rows of this table are never deleted but by
                    // TRUNCATE): as if not found.
                    pg_sys::TM_Result::TM_Deleted => None,
                    other => pgrx::error!("attempt_lock: a store row could not be locked (result {other})"),
                }
            } else {
                None
            };
            pg_sys::UnregisterSnapshot(snapshot);
            result
        }
    }

    /// Whether [`Table::lock`] can be used.
    pub fn can_lock(&self) -> bool {
        self.key_index.is_some()
    }

    /// The index entries of a tuple just written.
    ///
    /// # Safety
    /// `tuple` was just written to this table.
    unsafe fn index(&self, tuple: pg_sys::HeapTuple) {
        // SAFETY: the slot holds the tuple while each index's columns are read from it.
        unsafe {
            pg_sys::ExecStoreHeapTuple(tuple, self.slot, false);
            for &(index, info) in &self.indexes {
                if !(*info).ii_ReadyForInserts {
                    continue;
                }
                let mut values = [pg_sys::Datum::from(0); pg_sys::INDEX_MAX_KEYS as usize];
                let mut nulls = [false; pg_sys::INDEX_MAX_KEYS as usize];
                pg_sys::FormIndexDatum(info, self.slot, std::ptr::null_mut(), values.as_mut_ptr(), nulls.as_mut_ptr());
                let unique = if (*(*index).rd_index).indisunique {
                    pg_sys::IndexUniqueCheck::UNIQUE_CHECK_YES
                } else {
                    pg_sys::IndexUniqueCheck::UNIQUE_CHECK_NO
                };
                pg_sys::index_insert(index, values.as_mut_ptr(), nulls.as_mut_ptr(), &mut (*tuple).t_self, self.rel, unique, false, info);
            }
            pg_sys::ExecClearTuple(self.slot);
        }
    }

    /// Closes the table and its indexes, keeping their locks to the end of the transaction.
    ///
    /// # Safety
    /// Opened by [`Table::open`], not used afterwards.
    pub unsafe fn close(self) {
        // SAFETY: each opened above, closed once.
        unsafe {
            for slot in [self.slot, self.locked] {
                if !slot.is_null() {
                    pg_sys::ExecDropSingleTupleTableSlot(slot);
                }
            }
            for (index, _) in self.indexes {
                pg_sys::index_close(index, pg_sys::NoLock as pg_sys::LOCKMODE);
            }
            pg_sys::table_close(self.rel, pg_sys::NoLock as pg_sys::LOCKMODE);
        }
    }
}
