"""Alembic environment: runs on the connection the caller hands over.

`assistant.store.db.migrate()` opens the (async) engine and passes a sync
connection in `config.attributes["connection"]`; there is no alembic.ini.
"""

from __future__ import annotations

from alembic import context

from assistant.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `lobby migrate` / assistant.store.db.migrate()")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
