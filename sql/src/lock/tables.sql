-- The lock's tables: the recorded baseline and the override log.

CREATE TABLE @extschema@.attempt_lock_state (
    recorded_at  timestamptz NOT NULL,
    ext_version  text        NOT NULL,
    kind         text        NOT NULL
        CHECK (kind IN ('member', 'view', 'function', 'event_trigger', 'external')),
    object_type  text        NOT NULL,
    identity     text        NOT NULL,
    name         text,
    definition   text,
    structure    text,
    server_major int4,
    PRIMARY KEY (recorded_at, kind, object_type, identity)
);
COMMENT ON TABLE @extschema@.attempt_lock_state IS
'attempt_lock: what the last install/update script left behind (members with owners, view definitions, function definitions, event triggers, and the outside objects the members depend on). One snapshot per install/update, newest recorded_at is the baseline; older snapshots are history. definition is the text PostgreSQL prints for an object, structure what it is made of (columns, options, what it depends on, its source text), server_major the major that recorded them. attempt_lock_drift() compares the database with the newest snapshot: the structure always, the definition on the same major (a newer major may print the same object differently: pg_upgrade).';

CREATE TABLE @extschema@.attempt_lock_override_log (
    logged_at       timestamptz NOT NULL DEFAULT pg_catalog.statement_timestamp(),
    role_name       text        NOT NULL DEFAULT CURRENT_USER,  -- SQL keyword, cannot be schema-qualified
    session_role    text        NOT NULL DEFAULT SESSION_USER,  -- SQL keyword
    command_tag     text        NOT NULL,
    object_identity text        NOT NULL,
    query           text
);
COMMENT ON TABLE @extschema@.attempt_lock_override_log IS
'attempt_lock: one row per DDL statement that the lock would have refused but let through because a superuser had set attempt_lock.override = on.';

-- pg_dump keeps the rows of both tables (they are history, not install output).
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attempt_lock_state', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attempt_lock_override_log', '');

-- The event trigger functions run as whoever issues the DDL, so every role
-- must be able to read the baseline (it holds nothing pg_get_viewdef() and
-- pg_get_functiondef() would not show anyway). The override log holds query
-- texts: superusers only.
REVOKE ALL ON @extschema@.attempt_lock_state FROM PUBLIC;
GRANT SELECT ON @extschema@.attempt_lock_state TO PUBLIC;
REVOKE ALL ON @extschema@.attempt_lock_override_log FROM PUBLIC;
