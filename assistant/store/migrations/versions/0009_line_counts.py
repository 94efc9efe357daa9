"""The count of waiting tickets per line and class, kept by the database itself.

A new ticket's place is the tickets of the classes before it plus those of its own class that came
first. Counted in index ranges (0008) that walks every waiting ticket ahead: about 20 ns each, so a
ticket cost more the longer the line (issue 16). `line_counts` holds, per (service, day, class), how
many tickets wait; the place of a new ticket is then those counts less the few tickets of its class
issued after it (`assistant.store.line`), whatever the length of the line.

Triggers keep the counts, so no code path (the hub, the CLI, a restore, a hand-written UPDATE) can
let them drift: on SQLite one per row; on PostgreSQL one per statement, with transition tables, that
applies a statement's changes in one upsert in key order, so two writers lock count rows in the same
order and cannot deadlock on them. A property test checks the counts against a GROUP BY after random
inserts, updates and deletes (`tests/store/test_line_counts.py`).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KEY = "service_id, business_date, priority"
_BACKFILL = (
    f"INSERT INTO line_counts ({KEY}, waiting) "
    f"SELECT {KEY}, count(*) FROM tickets WHERE status = 'waiting' GROUP BY {KEY}"
)

# -- SQLite: a trigger per row (one writer at a time: no lock order to keep) ----------------------
_SQLITE_ADD = (
    f"INSERT INTO line_counts ({KEY}, waiting) SELECT NEW.service_id, NEW.business_date, NEW.priority, 1 "
    f"WHERE NEW.status = 'waiting' ON CONFLICT ({KEY}) DO UPDATE SET waiting = waiting + 1;"
)
_SQLITE_REMOVE = (
    "UPDATE line_counts SET waiting = waiting - 1 WHERE OLD.status = 'waiting' AND service_id = OLD.service_id "
    "AND business_date = OLD.business_date AND priority = OLD.priority;"
)
_SQLITE_MOVED = (
    "(OLD.status = 'waiting' OR NEW.status = 'waiting') AND (OLD.status IS NOT NEW.status "
    "OR OLD.service_id IS NOT NEW.service_id OR OLD.business_date IS NOT NEW.business_date "
    "OR OLD.priority IS NOT NEW.priority)"
)
_SQLITE_UP = (
    f"CREATE TRIGGER tickets_line_counts_insert AFTER INSERT ON tickets WHEN NEW.status = 'waiting' "
    f"BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER tickets_line_counts_delete AFTER DELETE ON tickets WHEN OLD.status = 'waiting' "
    f"BEGIN {_SQLITE_REMOVE} END",
    f"CREATE TRIGGER tickets_line_counts_update AFTER UPDATE OF status, {KEY} ON tickets WHEN {_SQLITE_MOVED} "
    f"BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
)
_SQLITE_DOWN = tuple(f"DROP TRIGGER IF EXISTS tickets_line_counts_{name}" for name in ("insert", "delete", "update"))

# -- PostgreSQL: a trigger per statement, its changes summed and applied in key order -------------
_POSTGRES_UP = (
    f"""
    CREATE OR REPLACE FUNCTION tickets_line_counts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO line_counts AS c ({KEY}, waiting)
            SELECT {KEY}, count(*) FROM new_rows WHERE status = 'waiting' GROUP BY {KEY} ORDER BY {KEY}
            ON CONFLICT ({KEY}) DO UPDATE SET waiting = c.waiting + excluded.waiting;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO line_counts AS c ({KEY}, waiting)
            SELECT {KEY}, -count(*) FROM old_rows WHERE status = 'waiting' GROUP BY {KEY} ORDER BY {KEY}
            ON CONFLICT ({KEY}) DO UPDATE SET waiting = c.waiting + excluded.waiting;
        ELSE
            INSERT INTO line_counts AS c ({KEY}, waiting)
            SELECT {KEY}, sum(change) FROM (
                SELECT {KEY}, 1 AS change FROM new_rows WHERE status = 'waiting'
                UNION ALL
                SELECT {KEY}, -1 FROM old_rows WHERE status = 'waiting'
            ) AS changes GROUP BY {KEY} HAVING sum(change) <> 0 ORDER BY {KEY}
            ON CONFLICT ({KEY}) DO UPDATE SET waiting = c.waiting + excluded.waiting;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER tickets_line_counts_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tickets_line_counts()",
    "CREATE TRIGGER tickets_line_counts_delete AFTER DELETE ON tickets REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tickets_line_counts()",
    "CREATE TRIGGER tickets_line_counts_update AFTER UPDATE ON tickets "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tickets_line_counts()",
    # TRUNCATE empties the line: its counts go too
    "CREATE OR REPLACE FUNCTION tickets_line_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN DELETE FROM line_counts; RETURN NULL; END $$",
    "CREATE TRIGGER tickets_line_counts_truncate AFTER TRUNCATE ON tickets "
    "FOR EACH STATEMENT EXECUTE FUNCTION tickets_line_counts_truncate()",
)
_POSTGRES_DOWN = (
    *(f"DROP TRIGGER IF EXISTS tickets_line_counts_{name} ON tickets" for name in ("insert", "delete", "update")),
    "DROP TRIGGER IF EXISTS tickets_line_counts_truncate ON tickets",
    "DROP FUNCTION IF EXISTS tickets_line_counts()",
    "DROP FUNCTION IF EXISTS tickets_line_counts_truncate()",
)


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "line_counts",
        sa.Column("service_id", sa.String(40), primary_key=True),
        sa.Column("business_date", sa.Date(), primary_key=True),
        sa.Column("priority", sa.String(16), primary_key=True),
        sa.Column("waiting", sa.Integer(), nullable=False),
    )
    op.execute(_BACKFILL)  # before the triggers, in the migration's transaction: nothing counted twice
    for statement in _POSTGRES_UP if _is_postgres() else _SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in _POSTGRES_DOWN if _is_postgres() else _SQLITE_DOWN:
        op.execute(statement)
    op.drop_table("line_counts")
