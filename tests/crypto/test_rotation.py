"""Tenant-key rotation: resumable, progress recorded, old key destroyed once unused."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.auth.models import User
from saas.candidates.models import Candidate
from saas.candidates.services import get_candidate
from saas.crypto.fields import sealed_key_id
from saas.crypto.keys import DataKey, KeyRotation
from saas.crypto.rotation import (
    rotation_runs,
    run_tenant_rotation,
    start_tenant_rotation,
)
from saas.extensions import db
from saas.hooks.models import PluginSetting
from saas.tenancy.context import tenant_context
from tests.backups.helpers import SMTP_PASSWORD, seed_tenant_data
from tests.factories import TenantFixture


def _tenant_keys(tenant_id: uuid.UUID) -> list[DataKey]:
    with tenant_context(tenant_id):
        return list(db.session.scalars(sa.select(DataKey).where(
            DataKey.owner_kind == "tenant", DataKey.purpose == "data")
            .order_by(DataKey.created_at)))


def _secret(tenant_id: uuid.UUID) -> tuple[bytes, object]:
    """The plugin secret's ciphertext and its clear value."""
    with tenant_context(tenant_id):
        row = db.session.scalars(sa.select(PluginSetting).where(
            PluginSetting.plugin_name == "channel_email")).one()
        return row.secrets_ct, row.secrets


def test_tenant_rotation_resumes_and_destroys_the_old_key(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with app.app_context():
        ids = seed_tenant_data(tenant_a.id, candidates=3)
        seed_tenant_data(tenant_b.id, candidates=1)
        (old_key_id,) = [k.id for k in _tenant_keys(tenant_a.id)]
        other_before = [(k.id, k.wrapped_key) for k in _tenant_keys(tenant_b.id)]
        run = start_tenant_rotation(tenant_a.id)
        # Three candidate keys, one plugin secret and each user's sealed sign-in e-mail.
        total = 3 + 1 + len(tenant_a.users)
        assert run.total == total
        run_id = run.id
    with app.app_context():
        stopped = run_tenant_rotation(run_id, batch_size=1, max_batches=2)
        assert (stopped.status, stopped.done) == ("running", 2)
        assert stopped.cursor["after"]  # where the next process picks up
    with app.app_context():
        # Half-way, everything still reads: old and new keys coexist.
        assert _secret(tenant_a.id)[1] == {"password": SMTP_PASSWORD}
        finished = run_tenant_rotation(run_id, batch_size=1)
        assert (finished.status, finished.done, finished.total) == ("done", total, total)
        assert next(rotation_runs(tenant_a.id)).percent == 100
    with app.app_context(), tenant_context(tenant_a.id):
        keys = _tenant_keys(tenant_a.id)
        old, new = keys
        assert old.id == old_key_id and old.wrapped_key is None and old.destroyed_at
        assert new.active and new.wrapped_key is not None
        blob, value = _secret(tenant_a.id)
        assert sealed_key_id(blob) == new.id
        assert value == {"password": SMTP_PASSWORD}
        for candidate_id in ids:
            candidate = get_candidate(candidate_id)
            assert candidate is not None and candidate.emails and candidate.phones
        assert all("@" in user.email for user in db.session.scalars(sa.select(User)))
        wrapped_by = set(db.session.scalars(sa.select(DataKey.wrapped_by).where(
            DataKey.owner_kind == "candidate")))
        assert wrapped_by == {f"key:{new.id}"}
        actions = set(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.target_id == str(run_id))))
        assert {"keys.tenant_rotation_started", "keys.tenant_rotation_done"} <= actions
    with app.app_context():
        # The other tenant was not touched.
        assert [(k.id, k.wrapped_key) for k in _tenant_keys(tenant_b.id)] == other_before


def test_a_second_start_resumes_the_running_rotation(
    app: Flask, tenant_a: TenantFixture
) -> None:
    with app.app_context():
        seed_tenant_data(tenant_a.id, candidates=2)
        first = start_tenant_rotation(tenant_a.id).id
        assert start_tenant_rotation(tenant_a.id).id == first
        assert len(_tenant_keys(tenant_a.id)) == 2  # one new key, not two
        run_tenant_rotation(first)
    with app.app_context():
        runs = db.session.scalars(sa.select(KeyRotation).where(
            KeyRotation.for_tenant_id == tenant_a.id)).all()
        assert [r.status for r in runs] == ["done"]


def test_rotate_tenant_command_and_status(app: Flask, tenant_a: TenantFixture) -> None:
    with app.app_context():
        seed_tenant_data(tenant_a.id, candidates=2)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["keys", "rotate-tenant", tenant_a.slug,
                                     "--batch-size", "1", "--max-batches", "1"])
    assert result.exit_code == 0, result.output
    total = 2 + 1 + len(tenant_a.users)  # candidate keys, plugin secret, user e-mails
    assert f"running, 1/{total} ({100 // total}%)" in result.output
    result = runner.invoke(args=["keys", "rotate-tenant", tenant_a.slug])
    assert result.exit_code == 0, result.output
    assert f"done, {total}/{total} (100%)" in result.output
    status = runner.invoke(args=["keys", "status"])
    assert f"tenant\t{tenant_a.slug}\tdone\t{total}/{total} (100%)" in status.output
    with app.app_context(), tenant_context(tenant_a.id):
        names = db.session.scalars(sa.select(Candidate.id)).all()
        assert all(get_candidate(i).emails for i in names)  # type: ignore[union-attr]


@pytest.mark.parametrize("args, message", [
    (["keys", "rotate-tenant", "no-such-tenant"], "no tenant 'no-such-tenant'"),
    (["keys", "rotate-tenant", "x", "--batch-size", "0"], "Invalid value for '--batch-size'"),
    (["keys", "rotate-master", "--max-batches", "-1"], "Invalid value for '--max-batches'"),
])
def test_key_commands_refuse_bad_input(app: Flask, args: list[str], message: str) -> None:
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
