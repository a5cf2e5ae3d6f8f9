"""Alembic environment: always runs on the connection `bot.staff_db.db.migrate` hands over."""

from __future__ import annotations

from alembic import context

from bot.staff_db.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by running the alembic CLI by hand
    raise RuntimeError(
        "run migrations through bot.staff_db.db.migrate(), which passes a connection"
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
