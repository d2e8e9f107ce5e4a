-- The lock's fifth event trigger: the source's own (source.sql).

-- A restore completes, a contract-breaking ALTER TABLE is refused, the store follows its
-- triggers.
CREATE EVENT TRIGGER attempt_lock_watch_source ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE',
                 'CREATE TRIGGER', 'DROP TRIGGER', 'ALTER TRIGGER',
                 'CREATE SUBSCRIPTION', 'ALTER SUBSCRIPTION')
    EXECUTE FUNCTION @extschema@.attempt_lock_watch_source();
COMMENT ON EVENT TRIGGER attempt_lock_watch_source IS
'attempt_lock: completes an install that waits for its source table (a restore), refuses ALTER TABLE that would break the recorded source''s contract, marks the incremental store stale when its triggers change, a subscription starts writing the source or the source gets a partition or child, and rebuilds it when a restore brings them back.';
