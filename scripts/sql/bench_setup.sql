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

-- The median of each group of queries (runs of every query of a group pooled), after
-- warmup unmeasured runs of each query, so caches are as warm for one side as for the
-- other. Runs are interleaved (one of each query per round) so that a slow drift, such as
-- another process taking a CPU for a while, is spread over every group rather than
-- landing on one. Returns the medians in the order of the group numbers.
CREATE OR REPLACE FUNCTION bench.medians_ms(queries text[], groups int[], reps int, warmup int DEFAULT 1)
RETURNS float8[]
LANGUAGE plpgsql AS $$
DECLARE
    gs int[] := '{}';
    ts float8[] := '{}';
BEGIN
    FOR i IN 1 .. warmup LOOP
        FOR q IN 1 .. cardinality(queries) LOOP
            PERFORM bench.exec_ms(queries[q]);
        END LOOP;
    END LOOP;
    FOR i IN 1 .. reps LOOP
        FOR q IN 1 .. cardinality(queries) LOOP
            gs := gs || groups[q];
            ts := ts || bench.exec_ms(queries[q]);
        END LOOP;
    END LOOP;
    RETURN ARRAY(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t)
                   FROM unnest(gs, ts) AS u(g, t) GROUP BY g ORDER BY g);
END $$;
