"""Counter breaks: a counter put "on break until 13:30" from the console.

counters.away_until: while a counter's state is "break", when it is due back (the wait model counts
it from then; the console shows it). Null for open and closed counters.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.store.models import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("counters", sa.Column("away_until", UtcDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("counters") as batch:
        batch.drop_column("away_until")
