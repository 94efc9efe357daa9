"""A covering index for a ticket's place in line.

`TicketRepository.place_in_line` counts the waiting tickets of a service and day that the ordering
policy puts ahead (class, age boost, arrival, id): with every column it reads in one index the count
never visits the table, so it stays a fraction of a millisecond with thousands waiting (issue 16).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ["status", "service_id", "business_date", "priority", "issued_at", "id"]


def upgrade() -> None:
    op.create_index("ix_tickets_line", "tickets", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_tickets_line", table_name="tickets")
