-- The two native V1 hashes (src/hash.rs): attempt_id, both overloads, and attempt_student_uuid.

CREATE OR REPLACE FUNCTION @extschema@.attempt_id(a pg_catalog.text, b pg_catalog.text)
RETURNS pg_catalog.int8
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_id_text_wrapper';

CREATE OR REPLACE FUNCTION @extschema@.attempt_id(a pg_catalog.uuid, b pg_catalog.int8)
RETURNS pg_catalog.int8
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_id_uuid_bigint_wrapper';

CREATE OR REPLACE FUNCTION @extschema@.attempt_student_uuid(u pg_catalog.text)
RETURNS pg_catalog.uuid
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_student_uuid_wrapper';

COMMENT ON FUNCTION @extschema@.attempt_id(pg_catalog.text, pg_catalog.text) IS
'V1 attempt id: the first 8 bytes of md5(a || ''-'' || b) as a signed big-endian bigint; bit-identical to (''x'' || substr(md5(a || ''-'' || b), 1, 16))::bit(64)::bigint, computed in-process';
COMMENT ON FUNCTION @extschema@.attempt_id(pg_catalog.uuid, pg_catalog.int8) IS
'V1 attempt id of (exam result uuid, item id): equals attempt_id(a::text, b::text)';
COMMENT ON FUNCTION @extschema@.attempt_student_uuid(pg_catalog.text) IS
'V1 student uuid: u itself when it is a 36-character UUID string PostgreSQL accepts, else the 128 bits of md5(u); never raises';
