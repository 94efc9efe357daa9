"""Audit log: every staff and admin action, append-only; staff_actions folds into it.

audit_log holds who (token id, name, role; or the CLI's operator; or the hub), what (an
`AuditAction`), which ticket/counter/device/token, the state before and after, and when.
The database itself refuses to change or delete a line: a trigger raises on UPDATE and DELETE
(and TRUNCATE on PostgreSQL), so no code path, not even a buggy one, can rewrite the past.

staff_actions (who called / finished a ticket, since 0004) is copied in as `ticket.call` and
`ticket.finish` lines and dropped: the dashboard reads `called_by` / `finished_by` from the log.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.store.models import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_MESSAGE = "audit_log is append-only"

_POSTGRES_UP = (
    f"""
    CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{_MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)
_POSTGRES_DOWN = (
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_append_only()",
)
_SQLITE_UP = tuple(
    f"CREATE TRIGGER audit_log_no_{op_name.lower()} BEFORE {op_name} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}: {op_name} refused'); END"
    for op_name in ("UPDATE", "DELETE")
)
_SQLITE_DOWN = ("DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete")


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.String(64)),
        sa.Column("actor_name", sa.String(80), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64)),
        sa.Column("counter_id", sa.String(40)),
        sa.Column("before", sa.JSON()),
        sa.Column("after", sa.JSON()),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_target", "audit_log", ["target_id", "at"])
    op.execute(
        "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, actor_role, action, target_kind, "
        "target_id, counter_id) "
        "SELECT s.at, 'token', s.token_id, s.staff_name, COALESCE(t.role, ''), "
        "CASE s.action WHEN 'finished' THEN 'ticket.finish' ELSE 'ticket.call' END, 'ticket', s.ticket_id, "
        "s.counter_id FROM staff_actions s LEFT JOIN staff_tokens t ON t.id = s.token_id ORDER BY s.at, s.id"
    )
    op.drop_index("ix_staff_actions_ticket", table_name="staff_actions")
    op.drop_table("staff_actions")
    for statement in _POSTGRES_UP if _is_postgres() else _SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in _POSTGRES_DOWN if _is_postgres() else _SQLITE_DOWN:
        op.execute(statement)
    op.create_table(
        "staff_actions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.String(32), nullable=False),
        sa.Column("counter_id", sa.String(40), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("token_id", sa.String(32), nullable=False),
        sa.Column("staff_name", sa.String(80), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_staff_actions_ticket", "staff_actions", ["ticket_id", "at"])
    op.execute(
        "INSERT INTO staff_actions (ticket_id, counter_id, action, token_id, staff_name, at) "
        "SELECT target_id, counter_id, CASE action WHEN 'ticket.finish' THEN 'finished' ELSE 'called' END, "
        "actor_id, actor_name, at FROM audit_log WHERE actor_kind = 'token' AND counter_id IS NOT NULL "
        "AND action IN ('ticket.call', 'ticket.call_next', 'ticket.finish') ORDER BY at, id"
    )
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
