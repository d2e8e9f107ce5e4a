"""Lock attempt VIEW spec

The original migration of the "attempt VIEW V1 schema lock" (deployment guide,
shared/seeds/001): the plain SQL view attempt, eleven typed columns, one row per answered
question; its elided parts completed as in scripts/sql/deployed_view.sql. With
it, what teams built on it since: a weekly KPI view read by BI, and BI's grant.

Revision 20261203_0900 replaces the view by the attempt_lock extension's, keeping the KPI
view and the grants.

Revision ID: 20251101_0900
Revises: 20251021_1010
Create Date: 2025-11-01 09:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "20251101_0900"
down_revision: Union[str, Sequence[str], None] = "20251021_1010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ATTEMPT_VIEW = r"""
CREATE VIEW attempt AS
WITH q AS (
    SELECT er.id AS exam_result_id, er.user_id AS user_id_text, er.session_id,
           COALESCE(er.updated_at, er.created_at) AS completed_at, e.qelem, e.ordinality
      FROM exam_results er
     CROSS JOIN LATERAL jsonb_array_elements(er.result_json->'questions') WITH ORDINALITY AS e(qelem, ordinality)
)
SELECT
    ('x' || substr(md5(q.exam_result_id::text || '-' || (q.qelem->>'question_id')), 1, 16))::bit(64)::bigint AS id,
    CASE WHEN q.user_id_text ~* '^[0-9a-fA-F-]{36}$' THEN q.user_id_text::uuid
         ELSE md5(q.user_id_text)::uuid END AS student_id,
    NULLIF(q.qelem->>'question_id', '')::bigint AS item_id,
    COALESCE((q.qelem->>'is_correct')::boolean, (q.qelem->>'correct')::boolean, false) AS correct,
    COALESCE(round((q.qelem->>'time_spent_sec')::numeric * 1000)::int, 0) AS response_time_ms,
    COALESCE((q.qelem->>'used_hints')::int, 0) > 0 AS hint_used,
    q.completed_at,
    q.completed_at
        - make_interval(secs => COALESCE(round((q.qelem->>'time_spent_sec')::numeric * 1000)::int, 0) / 1000.0)
        AS started_at,
    (ROW_NUMBER() OVER (
        PARTITION BY q.user_id_text, NULLIF(q.qelem->>'question_id', '')::bigint
        ORDER BY q.completed_at, q.exam_result_id, q.ordinality))::int AS attempt_no,
    q.session_id,
    NULLIF(q.qelem->>'topic', '') AS topic_id
FROM q
WHERE NULLIF(q.qelem->>'question_id', '') IS NOT NULL
"""

# Built on attempt later by the analytics team: first attempts per week and topic.
WEEKLY_KPI_VIEW = r"""
CREATE VIEW attempt_weekly_kpi AS
SELECT date_trunc('week', completed_at) AS week,
       topic_id,
       count(*) AS attempts,
       count(DISTINCT student_id) AS students,
       avg(correct::int)::numeric(5,3) AS accuracy,
       avg(response_time_ms)::int AS avg_response_ms
  FROM attempt
 WHERE attempt_no = 1
 GROUP BY 1, 2
"""


def _table_exists(name: str) -> bool:
    # The original migration's idempotency helper: without exam_results there is no view.
    return sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    if not op.get_context().as_sql and not _table_exists("exam_results"):
        return
    # as in the original
    op.execute("DROP VIEW IF EXISTS attempt CASCADE")
    op.execute(ATTEMPT_VIEW)
    op.execute("COMMENT ON VIEW attempt IS 'V1 schema lock (migration 20251101_0900)'")
    op.execute(WEEKLY_KPI_VIEW)
    # BI reads both. Roles are the cluster's, not this database's: bi_reader is made here
    # only if the DBA has not made it (that needs CREATEROLE), and no downgrade drops it.
    op.execute("""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'bi_reader') THEN
                CREATE ROLE bi_reader NOLOGIN;
            END IF;
        END $$""")
    op.execute("GRANT SELECT ON attempt, attempt_weekly_kpi TO bi_reader")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS attempt_weekly_kpi")
    op.execute("DROP VIEW IF EXISTS attempt")
