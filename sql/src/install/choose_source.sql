-- The install script's choice of source table (source.sql), before anything reads it.
SELECT @extschema@.attempt_lock_install_source(s.chosen, pg_catalog.to_regclass(s.chosen))
  FROM (SELECT COALESCE(NULLIF(pg_catalog.current_setting('attempt_lock.source_table', true), ''),
                        '@extschema@.exam_results') AS chosen) AS s;
