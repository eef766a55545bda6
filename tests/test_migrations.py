"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from saas.extensions import db


def test_models_and_migrations_agree(app: Flask, database_urls: tuple[str, str]) -> None:
    engine = sa.create_engine(database_urls[1])
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations disagree; run `flask db migrate`: {diff}"
