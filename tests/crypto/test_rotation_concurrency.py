"""Tenant-key rotation while other threads read and write encrypted values loses nothing.

Each read or write runs like a request: its own app context, session and short
transaction. PostgreSQL runs them truly concurrently. SQLite serialises
writers: its transactions here begin with ``BEGIN IMMEDIATE`` (the write lock
up front, as a multi-threaded SQLite deployment should) and wait up to a
generous busy timeout instead of failing.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event

from saas.app import create_app
from saas.candidates.services import create_candidate, get_candidate, update_candidate
from saas.crypto.fields import sealed_key_id
from saas.crypto.keys import DataKey, KeyRotation
from saas.crypto.rotation import encrypted_fields, run_tenant_rotation, start_tenant_rotation
from saas.extensions import db
from saas.hooks.models import PluginSetting
from saas.hooks.settings import configure_plugin
from saas.tenancy.context import tenant_context
from tests.backups.helpers import seed_tenant_data
from tests.conftest import DB_KIND, app_config
from tests.factories import TenantFixture

EMAIL_SETTINGS = {"host": "127.0.0.1", "port": 2525, "sender": "talent@example.com",
                  "username": "u"}


def _concurrent_app(app: Flask, database_urls: tuple[str, str]) -> Flask:
    options: dict[str, Any] = {"pool_pre_ping": True, "pool_size": 10}
    if DB_KIND == "sqlite":
        options["connect_args"] = {"timeout": 60}
    server = create_app(app_config(database_urls, MASTER_KEYS=app.config["MASTER_KEYS"],
                                   SQLALCHEMY_ENGINE_OPTIONS=options))
    if DB_KIND == "sqlite":
        with server.app_context():
            engine = db.engine

        @event.listens_for(engine, "connect")
        def _driver_leaves_transactions_to_us(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _take_the_write_lock_first(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    return server


def test_rotation_under_concurrent_reads_and_writes_loses_nothing(
    app: Flask, database_urls: tuple[str, str], tenant_a: TenantFixture
) -> None:
    server = _concurrent_app(app, database_urls)
    with server.app_context():
        ids = seed_tenant_data(tenant_a.id, candidates=8)
    last_emails: dict[uuid.UUID, list[str]] = {}
    last_password: list[str] = []
    created: dict[uuid.UUID, list[str]] = {}
    errors: list[BaseException] = []
    started, finished = threading.Event(), threading.Event()
    during = {"writes": 0, "reads": 0}

    def request(op: Callable[[], Any]) -> Any:
        with server.app_context(), tenant_context(tenant_a.id):
            return op()

    progress = [0, 0, 0, 0]  # operations done by each worker
    give_up = time.monotonic() + 100
    # SQLite's busy wait is not fair: without gaps the rotation would wait a long time.
    pause = 0.02 if DB_KIND == "sqlite" else 0.002

    def loop(step: Callable[[int], None], kind: str, worker: int) -> None:
        i = 0
        try:
            # Keep going until the rotation is over, then a few more times.
            while not finished.is_set() or i < 3:
                step(i)
                if started.is_set() and not finished.is_set():
                    during[kind] += 1
                i += 1
                progress[worker] += 1
                if time.monotonic() > give_up:
                    raise RuntimeError("the rotation never finished")
                time.sleep(pause)  # requests are not back to back: others get their turn
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            finished.set()

    def write_contacts(i: int) -> None:
        candidate_id = ids[i % len(ids)]
        value = [f"w{i}-{uuid.uuid4().hex[:6]}@example.com"]

        def op() -> None:
            candidate = get_candidate(candidate_id)
            assert candidate is not None
            update_candidate(candidate, {"emails": value})
            db.session.commit()

        request(op)
        last_emails[candidate_id] = value

    def write_secret(i: int) -> None:
        password = f"pw-{i}-{uuid.uuid4().hex[:6]}"

        def op() -> None:
            configure_plugin("channel_email", enabled=True,
                             settings={**EMAIL_SETTINGS, "password": password})
            db.session.commit()

        request(op)
        last_password[:] = [password]

    def add_candidates(i: int) -> None:
        value = [f"new{i}-{uuid.uuid4().hex[:6]}@example.com"]

        def op() -> uuid.UUID:
            candidate = create_candidate({"name": f"新人{i}", "emails": value})
            db.session.commit()
            return candidate.id

        created[request(op)] = value

    def read(i: int) -> None:
        def op() -> None:
            for candidate_id in ids:
                candidate = get_candidate(candidate_id)
                assert candidate is not None and candidate.emails
            row = db.session.scalars(sa.select(PluginSetting)).one()
            assert row.secrets and row.secrets["password"]

        request(op)

    def every_worker_moved_on() -> None:
        """Let each worker do at least one more operation (SQLite might starve them)."""
        seen = list(progress)
        deadline = time.monotonic() + 30
        while any(now <= then for now, then in zip(progress, seen, strict=True)) and (
                time.monotonic() < deadline and not errors):
            time.sleep(0.005)

    def rotate() -> None:
        try:
            every_worker_moved_on()
            with server.app_context():
                run_id = start_tenant_rotation(tenant_a.id).id
            started.set()
            status = "running"
            while status == "running":  # one batch at a time, like a resumed job
                every_worker_moved_on()
                with server.app_context():
                    status = run_tenant_rotation(run_id, batch_size=1, max_batches=1).status
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            started.set()
            finished.set()

    workers = [threading.Thread(target=loop, args=(step, kind, n)) for n, (step, kind) in
               enumerate(((write_contacts, "writes"), (write_secret, "writes"),
                          (add_candidates, "writes"), (read, "reads")))]
    for worker in workers:
        worker.start()
    rotator = threading.Thread(target=rotate)
    rotator.start()
    for thread in [rotator, *workers]:
        thread.join(timeout=300)
    assert not errors, errors
    assert during["writes"] > 0 and during["reads"] > 0  # they really overlapped

    with server.app_context(), tenant_context(tenant_a.id):
        run = db.session.scalars(sa.select(KeyRotation).where(
            KeyRotation.for_tenant_id == tenant_a.id)).one()
        assert run.status == "done", run.error
        old = [uuid.UUID(k) for k in run.cursor["old_keys"]]
        new = uuid.UUID(run.cursor["new_key"])
        for key in db.session.scalars(sa.select(DataKey).where(DataKey.id.in_(old))):
            assert key.wrapped_key is None and key.destroyed_at is not None
        # Nothing names the old key any more ...
        wrapped_by = set(db.session.scalars(sa.select(DataKey.wrapped_by).where(
            DataKey.owner_kind == "candidate")))
        assert wrapped_by == {f"key:{new}"}
        for spec in encrypted_fields("tenant"):
            blobs = db.session.scalars(sa.select(getattr(spec.model, spec.column)).where(
                getattr(spec.model, spec.column).is_not(None)))
            assert all(sealed_key_id(blob) not in old for blob in blobs)
        # ... and every value is the last one written.
        for candidate_id in ids:
            candidate = get_candidate(candidate_id)
            assert candidate is not None
            assert candidate.emails == last_emails.get(candidate_id, candidate.emails)
            assert candidate.phones and candidate.expected_salary
        for candidate_id, emails in created.items():
            candidate = get_candidate(candidate_id)
            assert candidate is not None and candidate.emails == emails
        row = db.session.scalars(sa.select(PluginSetting)).one()
        assert row.secrets == {"password": last_password[0]}
    with server.app_context():
        db.engine.dispose()
