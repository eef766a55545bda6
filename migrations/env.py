"""Alembic environment: migrations run as the owner role; the runtime role gets row access.

``REKINDLE_MIGRATION_DATABASE_URL`` (the table owner) is used when set,
otherwise ``REKINDLE_DATABASE_URL``. On PostgreSQL every run ends by granting
the runtime role (``DATABASE_RUNTIME_ROLE``) row access to all tables.
"""

import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

from saas.tenancy.rls import grant_runtime_role_sql

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
app_config = current_app.config


def migration_url() -> str:
    return app_config.get("MIGRATION_DATABASE_URL") or app_config["DATABASE_URL"]


def run_migrations_offline() -> None:
    context.configure(url=migration_url(), target_metadata=target_db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(ctx, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("compare_type", True)
    engine = sa.create_engine(migration_url(), poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        conf_args["render_as_batch"] = connection.dialect.name == "sqlite"
        context.configure(
            connection=connection,
            target_metadata=target_db.metadata,
            **conf_args,
        )
        with context.begin_transaction():
            context.run_migrations()
            if connection.dialect.name == "postgresql":
                for statement in grant_runtime_role_sql(app_config["DATABASE_RUNTIME_ROLE"]):
                    connection.execute(sa.text(statement))
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
