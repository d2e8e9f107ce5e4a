-- attempt_lock 1.0: the V1 `attempt` view, its native hashes, its lock and its health check.
-- Contract: docs/SPEC.md. Once released, this file is frozen (sql/manifest.sha256).

\echo Use "CREATE EXTENSION attempt_lock" to load this file. \quit

--------------------------------------------------------------------------------------------
-- Native hashes (src/hash.rs)
--------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.attempt_id(a pg_catalog.text, b pg_catalog.text)
RETURNS pg_catalog.int8
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_id_text_wrapper';

CREATE FUNCTION @extschema@.attempt_id(a pg_catalog.uuid, b pg_catalog.int8)
RETURNS pg_catalog.int8
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_id_uuid_bigint_wrapper';

CREATE FUNCTION @extschema@.attempt_student_uuid(u pg_catalog.text)
RETURNS pg_catalog.uuid
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_student_uuid_wrapper';

COMMENT ON FUNCTION @extschema@.attempt_id(pg_catalog.text, pg_catalog.text) IS
'V1 attempt id: the first 8 bytes of md5(a || ''-'' || b) as a signed big-endian bigint; bit-identical to (''x'' || substr(md5(a || ''-'' || b), 1, 16))::bit(64)::bigint, computed in-process';
COMMENT ON FUNCTION @extschema@.attempt_id(pg_catalog.uuid, pg_catalog.int8) IS
'V1 attempt id of (exam result uuid, item id): equals attempt_id(a::text, b::text)';
COMMENT ON FUNCTION @extschema@.attempt_student_uuid(pg_catalog.text) IS
'V1 student uuid: u itself when it is a 36-character UUID string PostgreSQL accepts, else the 128 bits of md5(u); never raises';

--------------------------------------------------------------------------------------------
-- The contract as data (src/contract.rs)
--------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.attempt_contract(
    OUT "position" pg_catalog.int4, OUT column_name pg_catalog.text,
    OUT data_type pg_catalog.text, OUT never_null pg_catalog.bool)
RETURNS SETOF record
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_contract_wrapper';

CREATE FUNCTION @extschema@.attempt_source_problems(
    source_table pg_catalog.text,
    OUT column_name pg_catalog.text, OUT problem pg_catalog.text)
RETURNS SETOF record
STABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_source_problems_wrapper';

CREATE FUNCTION @extschema@.attempt_lock_check_source(source_table pg_catalog.text)
RETURNS pg_catalog.oid
STABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_lock_check_source_wrapper';

COMMENT ON FUNCTION @extschema@.attempt_contract() IS
'The eleven V1 columns of attempt, in order, with their types and whether they may be NULL';
COMMENT ON FUNCTION @extschema@.attempt_source_problems(pg_catalog.text) IS
'Every way the named source table breaks the exam_results contract; no rows when it is sound';
COMMENT ON FUNCTION @extschema@.attempt_lock_check_source(pg_catalog.text) IS
'Raises the first source-contract problem of the named table (SQLSTATE 42P01, 42703 or 42804, with a HINT); returns its oid when sound';

--------------------------------------------------------------------------------------------
-- Configuration and history
--------------------------------------------------------------------------------------------

CREATE TABLE @extschema@.attempt_lock_config (
    singleton pg_catalog.bool PRIMARY KEY DEFAULT true CHECK (singleton),
    source_table pg_catalog.regclass NOT NULL
);
COMMENT ON TABLE @extschema@.attempt_lock_config IS
'The source table the attempt view reads, chosen at CREATE EXTENSION (attempt_lock.source_table, default exam_results in the extension schema)';

CREATE TABLE @extschema@.attempt_lock_history (
    version pg_catalog.text NOT NULL,
    action pg_catalog.text NOT NULL CHECK (action IN ('install', 'update')),
    at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    by_role pg_catalog.name NOT NULL DEFAULT CURRENT_USER
);
COMMENT ON TABLE @extschema@.attempt_lock_history IS
'Every install and update of attempt_lock in this database: the database''s own migration history';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attempt_lock_history', '');

-- Check the source before creating anything that depends on it: a bad source is a clear
-- error and, since the script runs in one transaction, nothing is installed.
INSERT INTO @extschema@.attempt_lock_config (source_table)
SELECT @extschema@.attempt_lock_check_source(
    COALESCE(
        NULLIF(pg_catalog.current_setting('attempt_lock.source_table', true), ''),
        '@extschema@.exam_results'))::pg_catalog.regclass;

INSERT INTO @extschema@.attempt_lock_history (version, action) VALUES ('1.0', 'install');
