"""attempt_lock adopt

Hands the view attempt over to the attempt_lock extension: CREATE EXTENSION with
attempt_lock.adopt_existing_view replaces the plain view of revision 20251101_0900 by the
extension's V1 view (same eleven columns, locked, never failing on bad input) in one
transaction, records the old view in attempt_lock_history, keeps its grants and creates
the views built on it (attempt_weekly_kpi) again on the new one, with their owners and
grants. The downgrade puts the old view and those views back as they were.

Needs a superuser: the setting is honoured only when a superuser SETs it in the session,
and the extension's event triggers need one. Run this revision (up or down) with a
superuser's DATABASE_URL; the other revisions need only the application's role. The
library must be installed on the server first (scripts/install.sh).

Revision ID: 20261203_0900
Revises: 20251101_0900
Create Date: 2026-12-03 09:00:00
"""
from typing import Sequence, Union

from alembic import context, op
from alembic.util import CommandError
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "20261203_0900"
down_revision: Union[str, Sequence[str], None] = "20251101_0900"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _require_superuser(what: str) -> None:
    if context.is_offline_mode():
        return
    superuser = op.get_bind().execute(
        sa.text("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")
    ).scalar()
    if not superuser:
        raise CommandError(
            f"revision {revision} ({what}) needs a superuser: run it with a superuser's "
            "DATABASE_URL (the other revisions need only the application's role)"
        )


def upgrade() -> None:
    _require_superuser("CREATE EXTENSION attempt_lock")
    # The V1 view is security_invoker: a role reads through it what it may read of
    # exam_results, where the old view read exam_results with its owner's privileges.
    # BI read attempt directly, so it needs SELECT on exam_results now (the adoption
    # WARNs naming such roles otherwise). That widens what BI may read (result_json
    # directly): the alternative is BI reading only through views owned by a role that
    # can read exam_results, as attempt_weekly_kpi is.
    op.execute("GRANT SELECT ON exam_results TO bi_reader")
    op.execute("SET attempt_lock.adopt_existing_view = on")
    op.execute("CREATE EXTENSION attempt_lock")
    op.execute("RESET attempt_lock.adopt_existing_view")


def downgrade() -> None:
    # The way back the extension gives: the statements that create the old view as it was
    # (definition, owner, comment, grants) and then the views now built on attempt; then
    # DROP EXTENSION ... CASCADE (which drops those views, and an index on
    # attempt_student_uuid(user_id) if one was made); then the statements. All in Alembic's
    # one transaction: a failure leaves the adopted state untouched.
    if context.is_offline_mode():
        raise CommandError(
            f"revision {revision}'s downgrade reads attempt_lock_unadopt_statements() "
            "from the database: run it online"
        )
    _require_superuser("DROP EXTENSION attempt_lock")
    bind = op.get_bind()
    statements = bind.execute(
        sa.text("SELECT statement FROM attempt_lock_unadopt_statements() ORDER BY step")
    ).scalars().all()
    bind.exec_driver_sql("DROP EXTENSION attempt_lock CASCADE")
    for statement in statements:
        # as written: no bind parameters (a view definition may hold % or :name)
        bind.exec_driver_sql(statement, execution_options={"no_parameters": True})
    op.execute("REVOKE SELECT ON exam_results FROM bi_reader")
