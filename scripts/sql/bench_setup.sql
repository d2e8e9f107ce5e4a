-- Benchmark helpers, in their own schema so they never mix with the extension's objects.
-- Timing is server-side: the "Execution Time" of EXPLAIN (ANALYZE, TIMING OFF), which
-- runs the query to completion but sends no rows, so neither the client nor the network
-- nor planning is measured. TIMING OFF avoids the per-node clock calls that would
-- otherwise dominate cheap per-row work such as a hash function.
CREATE SCHEMA IF NOT EXISTS bench;

CREATE OR REPLACE FUNCTION bench.exec_ms(query text) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, FORMAT JSON) ' || query INTO plan;
    RETURN (plan->0->>'Execution Time')::float8;
END $$;

-- Median over reps runs of each query (all runs of all queries pooled), after warmup
-- unmeasured runs of each, so caches are as warm for one side as for the other.
CREATE OR REPLACE FUNCTION bench.median_ms(queries text[], reps int, warmup int DEFAULT 1)
RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    q text;
    t float8[] := '{}';
BEGIN
    FOREACH q IN ARRAY queries LOOP
        FOR i IN 1 .. warmup LOOP
            PERFORM bench.exec_ms(q);
        END LOOP;
    END LOOP;
    -- Interleave the queries so a slow drift (another process, the page cache) is spread
    -- over all of them rather than landing on one.
    FOR i IN 1 .. reps LOOP
        FOREACH q IN ARRAY queries LOOP
            t := t || bench.exec_ms(q);
        END LOOP;
    END LOOP;
    RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(t) x);
END $$;
