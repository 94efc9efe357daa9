"""Online to offline: remote tickets and their arrival; why a customer booked.

tickets.remote / tickets.arrived_at: a ticket taken from the bank's app waits
"on the way" (kept in line, not called) until its customer checks in at the
branch. Existing tickets were all issued in the branch: arrived when issued.
appointments.intent / appointments.notes: what the customer asked for and said
when booking, shown to the teller after check-in.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.store.models import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("remote", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("tickets", sa.Column("arrived_at", UtcDateTime()))
    op.execute("UPDATE tickets SET arrived_at = issued_at")
    op.add_column("appointments", sa.Column("intent", sa.String(64)))
    op.add_column("appointments", sa.Column("notes", sa.String(500)))


def downgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.drop_column("notes")
        batch.drop_column("intent")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("arrived_at")
        batch.drop_column("remote")
