"""Master-key rotation: every tenant key re-wrapped, resumable; then the old key can go.

Each test runs on a database of its own (of the kind under test), so that
"every tenant key" means exactly the tenants made here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from saas.crypto.blind_index import blind_index, normalize_email
from saas.crypto.keys import DataKey, KeyRotation
from saas.crypto.master import UnwrapError, master_key_id
from saas.crypto.master_rotation import run_master_rotation, start_master_rotation
from saas.extensions import db
from saas.hooks.models import PluginSetting
from saas.tenancy.context import tenant_context, unscoped
from tests.backups.helpers import (
    SMTP_PASSWORD,
    app_on,
    dispose,
    fresh_database,
    seed_tenant_data,
    table_rows,
)
from tests.conftest import DB_KIND
from tests.factories import make_tenant

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


@pytest.fixture()
def own_database(tmp_path: Path) -> Iterator[tuple[str, str]]:
    with fresh_database(DB_KIND, tmp_path) as urls:
        yield urls


def _key_id(key: str) -> str:
    import base64

    return master_key_id(base64.urlsafe_b64decode(key))


def _everything_reads(tenant_id: uuid.UUID, candidates: list[uuid.UUID]) -> None:
    from saas.candidates.services import get_candidate

    with tenant_context(tenant_id):
        row = db.session.scalars(sa.select(PluginSetting)).one()
        assert row.secrets == {"password": SMTP_PASSWORD}
        for candidate_id in candidates:
            candidate = get_candidate(candidate_id)
            assert candidate is not None
            assert candidate.emails and candidate.phones and candidate.wechat_id
            assert candidate.expected_salary
            assert blind_index("email", normalize_email(candidate.emails[0]))


def test_master_rotation_resumes_and_then_the_new_key_alone_reads_everything(
    own_database: tuple[str, str]
) -> None:
    before = app_on(own_database, OLD)
    tenants = [make_tenant(before, "master-a", roles=("tenant_admin",)),
               make_tenant(before, "master-b", roles=("tenant_admin",))]
    with before.app_context():
        seeded = {t.id: seed_tenant_data(t.id, candidates=2) for t in tenants}
        rows_before = {t.id: table_rows(t.id) for t in tenants}
    dispose(before)

    rotating = app_on(own_database, f"{NEW},{OLD}")
    with rotating.app_context():
        run_id = start_master_rotation().id
        stopped = run_master_rotation(run_id, batch_size=1, max_batches=3)
        # Two tenant keys per tenant (data and blind index).
        assert (stopped.status, stopped.done, stopped.total) == ("running", 3, 4)
        # Mid-way both master keys are in use and everything still reads.
        for tenant in tenants:
            _everything_reads(tenant.id, seeded[tenant.id])
    dispose(rotating)

    # "The process was killed": a new one resumes the same run.
    resumed = app_on(own_database, f"{NEW},{OLD}")
    result = resumed.test_cli_runner().invoke(args=["keys", "rotate-master", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert f"master rotation {run_id}: done, 4/4 (100%)" in result.output
    status = resumed.test_cli_runner().invoke(args=["keys", "status"])
    assert f"{run_id}\tmaster\t-\tdone\t4/4 (100%)" in status.output
    with resumed.app_context():
        runs = db.session.scalars(sa.select(KeyRotation)).all()
        assert [r.id for r in runs] == [run_id]
        with unscoped(reason="test reads every tenant key"):
            wrapped_by = set(db.session.scalars(sa.select(DataKey.wrapped_by).where(
                DataKey.owner_kind == "tenant")))
        assert wrapped_by == {f"master:{_key_id(NEW)}"}
    dispose(resumed)

    only_new = app_on(own_database, NEW)
    with only_new.app_context():
        for tenant in tenants:
            _everything_reads(tenant.id, seeded[tenant.id])
            after = table_rows(tenant.id)
            # Only the wrapping of the tenant keys changed; every other row is as it was.
            for table, rows in rows_before[tenant.id].items():
                if table != "data_keys" and table != "audit_events":
                    assert after[table] == rows, table
    dispose(only_new)

    only_old = app_on(own_database, OLD)
    with only_old.app_context(), tenant_context(tenants[0].id):
        row = db.session.scalars(sa.select(PluginSetting)).one()
        with pytest.raises(UnwrapError):
            _ = row.secrets
    dispose(only_old)


def test_master_rotation_reports_keys_it_cannot_unwrap(own_database: tuple[str, str]) -> None:
    lost = Fernet.generate_key().decode()
    elsewhere = app_on(own_database, lost)
    orphan = make_tenant(elsewhere, "orphan", roles=("tenant_admin",))
    dispose(elsewhere)
    before = app_on(own_database, OLD)
    kept = make_tenant(before, "kept", roles=("tenant_admin",))
    dispose(before)

    rotating = app_on(own_database, f"{NEW},{OLD}")
    result = rotating.test_cli_runner().invoke(args=["keys", "rotate-master"])
    assert result.exit_code == 1
    assert "failed, 4/4" in result.output  # all handled, two could not be re-wrapped
    assert "2 tenant keys are wrapped by a master key that is not configured" in result.output
    with rotating.app_context(), unscoped(reason="test reads every tenant key"):
        by_tenant = dict(db.session.execute(sa.select(DataKey.tenant_id, DataKey.wrapped_by)
                                            .where(DataKey.owner_kind == "tenant")).all())
        assert by_tenant[kept.id] == f"master:{_key_id(NEW)}"
        assert by_tenant[orphan.id] == f"master:{_key_id(lost)}"
    dispose(rotating)
