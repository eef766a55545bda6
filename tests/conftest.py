"""Test set-up: a real database (SQLite or PostgreSQL), real Redis, two tenants.

``REKINDLE_TEST_DB`` picks the database: ``sqlite`` (a file) or ``postgresql``
(a fresh database created for the run; migrations run as the owner, the app
connects as the runtime role, so row-level security is live). PostgreSQL and
Redis being unreachable is a failure, never a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import Flask
from flask_migrate import upgrade
from redis import Redis

from saas.app import create_app
from tests.factories import TenantFixture, make_tenant

DB_KIND = os.environ.get("REKINDLE_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get(
    "REKINDLE_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("REKINDLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RUNTIME_ROLE = "rekindle_app"


def pytest_report_header() -> list[str]:
    return [f"rekindle: database={DB_KIND} redis={REDIS_URL}"]


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(runtime URL, owner URL) of a database made for this run."""
    if DB_KIND == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'rekindle.sqlite3'}"
        yield url, url
        return
    if DB_KIND != "postgresql":
        pytest.exit(f"REKINDLE_TEST_DB must be sqlite or postgresql, not {DB_KIND!r}", 2)
    name = f"rekindle_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.exit(f"PostgreSQL is required for this run and unreachable: {exc}", 3)
    owner = sa.engine.make_url(PG_ADMIN_URL).set(database=name)
    runtime = owner.set(username=RUNTIME_ROLE, password=None)
    yield (runtime.render_as_string(hide_password=False),
           owner.render_as_string(hide_password=False))
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def app_config(database_urls: tuple[str, str], **extra: object) -> dict[str, object]:
    runtime, owner = database_urls
    return {
        "ENV": "testing",
        "DATABASE_URL": runtime,
        "MIGRATION_DATABASE_URL": owner,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "MASTER_KEYS": Fernet.generate_key().decode(),
        "REDIS_URL": "",
        "JOBS_QUEUE_PREFIX": f"rekindle-test-{uuid.uuid4().hex[:8]}",
        # Every test signs in from 127.0.0.1: per-address budgets would add up across the
        # whole suite. Tests of those limits set their own.
        "LOGIN_LIMIT_PER_ADDRESS": "10000 per 15 minutes",
        "API_AUTH_FAILURE_LIMIT_PER_ADDRESS": "10000 per 15 minutes",
        **extra,
    }


@pytest.fixture(scope="session")
def app(database_urls: tuple[str, str]) -> Iterator[Flask]:
    application = create_app(app_config(database_urls))
    with application.app_context():
        upgrade()
    yield application


@pytest.fixture()
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture()
def tenant_a(app: Flask) -> TenantFixture:
    return make_tenant(app, "alpha")


@pytest.fixture()
def tenant_b(app: Flask) -> TenantFixture:
    return make_tenant(app, "bravo")


@pytest.fixture(scope="session")
def redis_url() -> str:
    conn = Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except Exception as exc:  # a missing Redis fails the run
        pytest.exit(f"Redis is required and unreachable at {REDIS_URL}: {exc}", 3)
    return REDIS_URL


@pytest.fixture()
def runtime_engine(database_urls: tuple[str, str]) -> Iterator[sa.Engine]:
    """A raw engine connected as the app's runtime role."""
    engine = sa.create_engine(database_urls[0])
    yield engine
    engine.dispose()
