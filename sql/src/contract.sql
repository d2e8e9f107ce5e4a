-- The V1 contract as data and the source check (src/contract.rs).

CREATE OR REPLACE FUNCTION @extschema@.attempt_contract(
    OUT "position" pg_catalog.int4, OUT column_name pg_catalog.text,
    OUT data_type pg_catalog.text, OUT never_null pg_catalog.bool)
RETURNS SETOF record
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_contract_wrapper';

CREATE OR REPLACE FUNCTION @extschema@.attempt_source_problems(
    source_table pg_catalog.text,
    OUT column_name pg_catalog.text, OUT problem pg_catalog.text)
RETURNS SETOF record
STABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_source_problems_wrapper';

CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_check_source(source_table pg_catalog.text)
RETURNS pg_catalog.oid
STABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_lock_check_source_wrapper';

COMMENT ON FUNCTION @extschema@.attempt_contract() IS
'The eleven V1 columns of attempt, in order, with their types and whether they may be NULL';
COMMENT ON FUNCTION @extschema@.attempt_source_problems(pg_catalog.text) IS
'Every way the named source table breaks the exam_results contract; no rows when it is sound';
COMMENT ON FUNCTION @extschema@.attempt_lock_check_source(pg_catalog.text) IS
'Raises the first source-contract problem of the named table (SQLSTATE 42P01, 42703 or 42804, with a HINT); returns its oid when sound';
