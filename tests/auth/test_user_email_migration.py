"""Migration 0007 encrypts the emails already in the users table, and 0006 gets them back.

A database of its own is migrated to 0006, given users with plaintext emails
(one tenant with its keys already made, one without any), then upgraded: the
plaintext column is gone, nothing readable is left, the emails decrypt, sign-in
finds the user by its blind index in any case, and a downgrade restores the
plaintext exactly.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from saas.app import create_app
from saas.auth.models import User
from saas.auth.users import find_by_email
from saas.crypto.keys import active_key
from saas.extensions import db
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant
from saas.timeutil import utcnow
from tests.backups.helpers import fresh_database as empty_database
from tests.conftest import DB_KIND, app_config

EMAILS = ("Li.Na@Migrate-Q7.example", "wang.fang@migrate-q7.example")


@pytest.fixture()
def fresh_database(tmp_path: Path) -> Iterator[tuple[str, str]]:
    with empty_database(DB_KIND, tmp_path) as urls:
        yield urls


def _insert_plain_users(owner_url: str, tenants: list[uuid.UUID]) -> None:
    engine = sa.create_engine(owner_url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        for tenant_id, email in zip(tenants, EMAILS, strict=True):
            conn.execute(sa.text(
                "INSERT INTO users (tenant_id, id, email, name, role, auth_epoch, created_at) "
                "VALUES (:t, :i, :e, 'Someone', 'recruiter', 0, :c)"
            ), {"t": tenant_id if DB_KIND == "postgresql" else tenant_id.hex,
                "i": uuid.uuid4() if DB_KIND == "postgresql" else uuid.uuid4().hex,
                "e": email.lower(), "c": utcnow()})
    engine.dispose()


def _raw_users(owner_url: str) -> list[dict[str, object]]:
    engine = sa.create_engine(owner_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(sa.text("SELECT * FROM users"))]
    engine.dispose()
    return rows


def test_existing_emails_are_encrypted_and_decrypted_back(
    fresh_database: tuple[str, str],
) -> None:
    app = create_app(app_config(fresh_database))
    with app.app_context():
        upgrade(revision="0006")
        with_keys = Tenant(slug=f"mig-{uuid.uuid4().hex[:6]}", name="With keys")
        without_keys = Tenant(slug=f"mig-{uuid.uuid4().hex[:6]}", name="Without keys")
        db.session.add_all([with_keys, without_keys])
        db.session.flush()
        with tenant_context(with_keys.id):
            active_key("tenant", with_keys.id, "data")
            active_key("tenant", with_keys.id, "blind_index")
            db.session.flush()
        db.session.commit()
        tenants = [with_keys.id, without_keys.id]
        db.session.remove()
        _insert_plain_users(fresh_database[1], tenants)

        upgrade()
        raw = _raw_users(fresh_database[1])
        assert len(raw) == 2 and "email" not in raw[0]
        text = repr(raw).lower()
        assert not any(email.lower() in text for email in EMAILS)
        for tenant_id, email in zip(tenants, EMAILS, strict=True):
            with tenant_context(tenant_id):
                found = find_by_email(email.upper())
                assert found is not None and found.email == email.lower()
                assert db.session.scalars(sa.select(User)).one().id == found.id
        db.session.remove()

        downgrade(revision="0006")
        back = sorted(str(row["email"]) for row in _raw_users(fresh_database[1]))
        assert back == sorted(email.lower() for email in EMAILS)
        assert "email_ct" not in _raw_users(fresh_database[1])[0]
        upgrade()  # and forward again, over keys the first upgrade made
        with tenant_context(without_keys.id):
            assert find_by_email(EMAILS[1]) is not None
        db.session.remove()
