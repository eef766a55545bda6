"""Encryption primitives: keys, encrypted fields bound to their row, blind indexes."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import Flask

from saas.crypto.blind_index import blind_index
from saas.crypto.fields import DecryptionError, associated_data, open_sealed, seal
from saas.crypto.keys import KeyDestroyed, active_key, destroy_keys, rewrap_tenant_keys
from saas.crypto.master import KeyConfigError, MasterKeyring, UnwrapError
from saas.extensions import db
from saas.hooks.models import PluginSetting
from saas.hooks.settings import configure_plugin
from saas.tenancy.context import tenant_context, unscoped
from tests.factories import TenantFixture

SMTP_SECRET = "s3cret-smtp-password-value"


def _configure_email(tenant: TenantFixture) -> uuid.UUID:
    with tenant_context(tenant.id):
        row = configure_plugin("channel_email", enabled=True, settings={
            "host": "127.0.0.1", "port": 2525, "sender": "a@b.example",
            "username": "u", "password": SMTP_SECRET,
        })
        db.session.commit()
        return row.id


def _raw_secrets(row_id: uuid.UUID) -> bytes:
    with unscoped(reason="test reads raw ciphertext"):
        return db.session.scalar(
            sa.select(PluginSetting.secrets_ct).where(PluginSetting.id == row_id)
        )


def test_plugin_secret_is_encrypted_at_rest(app_ctx: Flask, tenant_a: TenantFixture) -> None:
    row_id = _configure_email(tenant_a)
    raw = _raw_secrets(row_id)
    assert raw and SMTP_SECRET.encode() not in raw
    with tenant_context(tenant_a.id):
        row = db.session.scalars(sa.select(PluginSetting).where(PluginSetting.id == row_id)).one()
        assert row.secrets == {"password": SMTP_SECRET}
        assert "password" not in row.settings


def test_ciphertext_moved_to_another_row_fails(
    app_ctx: Flask, tenant_a: TenantFixture
) -> None:
    with tenant_context(tenant_a.id):
        first = configure_plugin("channel_email", enabled=True, settings={
            "host": "h", "sender": "a@b.example", "password": SMTP_SECRET})
        other = PluginSetting(plugin_name="other_plugin", enabled=False, settings={})
        db.session.add(other)
        db.session.flush()
        other.secrets_ct = first.secrets_ct
        with pytest.raises(DecryptionError):
            _ = other.secrets
        tampered = bytearray(first.secrets_ct or b"")
        tampered[-1] ^= 1
        first.secrets_ct = bytes(tampered)
        with pytest.raises(DecryptionError):
            _ = first.secrets
        db.session.rollback()


def test_ciphertext_moved_to_another_tenant_fails(
    app_ctx: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    row_id = _configure_email(tenant_a)
    stolen = _raw_secrets(row_id)
    with tenant_context(tenant_b.id):
        row = PluginSetting(id=row_id, plugin_name="channel_email", enabled=True, settings={})
        db.session.add(row)
        db.session.flush()
        row.secrets_ct = stolen
        with pytest.raises((DecryptionError, KeyDestroyed)):
            _ = row.secrets
        db.session.rollback()


def test_field_binding_covers_table_row_and_field(app_ctx: Flask, tenant_a: TenantFixture) -> None:
    with tenant_context(tenant_a.id):
        key_id, key = active_key("tenant", tenant_a.id)
        row_id = uuid.uuid4()
        aad = associated_data(tenant_a.id, "t", row_id, "email")
        blob = seal(key_id, key, b"hello", aad)
        assert open_sealed(blob, aad) == b"hello"
        for other in (
            associated_data(tenant_a.id, "t", row_id, "phone"),
            associated_data(tenant_a.id, "u", row_id, "email"),
            associated_data(tenant_a.id, "t", uuid.uuid4(), "email"),
        ):
            with pytest.raises(DecryptionError):
                open_sealed(blob, other)


def test_candidate_key_destroyed_makes_data_unreadable(
    app_ctx: Flask, tenant_a: TenantFixture
) -> None:
    candidate = uuid.uuid4()
    with tenant_context(tenant_a.id):
        key_id, key = active_key("candidate", candidate)
        aad = associated_data(tenant_a.id, "candidates", candidate, "email")
        blob = seal(key_id, key, b"li@example.com", aad)
        db.session.commit()
    with app_ctx.app_context(), tenant_context(tenant_a.id):
        assert open_sealed(blob, aad) == b"li@example.com"
        assert destroy_keys("candidate", candidate) == 1
        db.session.commit()
    with app_ctx.app_context(), tenant_context(tenant_a.id):
        with pytest.raises(KeyDestroyed):
            open_sealed(blob, aad)
        with pytest.raises(KeyDestroyed):
            active_key("candidate", candidate)


def test_master_key_rotation_keeps_old_data_readable(
    app: Flask, database_urls: tuple[str, str], tenant_a: TenantFixture
) -> None:
    from saas.app import create_app
    from tests.conftest import app_config

    old_key = app.config["MASTER_KEYS"]
    with app.app_context():
        row_id = _configure_email(tenant_a)
    new_key = Fernet.generate_key().decode()
    rotated = create_app(app_config(database_urls, MASTER_KEYS=f"{new_key},{old_key}"))
    with rotated.app_context(), tenant_context(tenant_a.id):
        row = db.session.scalars(sa.select(PluginSetting).where(PluginSetting.id == row_id)).one()
        assert row.secrets == {"password": SMTP_SECRET}  # old master key still unwraps
        assert rewrap_tenant_keys() == 2
        db.session.commit()
    only_new = create_app(app_config(database_urls, MASTER_KEYS=new_key))
    with only_new.app_context(), tenant_context(tenant_a.id):
        row = db.session.scalars(sa.select(PluginSetting).where(PluginSetting.id == row_id)).one()
        assert row.secrets == {"password": SMTP_SECRET}
    only_old_forgotten = create_app(
        app_config(database_urls, MASTER_KEYS=Fernet.generate_key().decode())
    )
    with only_old_forgotten.app_context(), tenant_context(tenant_a.id):
        row = db.session.scalars(sa.select(PluginSetting).where(PluginSetting.id == row_id)).one()
        with pytest.raises(UnwrapError):
            _ = row.secrets


def test_master_key_config_errors() -> None:
    with pytest.raises(KeyConfigError):
        MasterKeyring.from_config("")
    with pytest.raises(KeyConfigError):
        MasterKeyring.from_config("not base64 !!!")
    with pytest.raises(KeyConfigError):
        MasterKeyring.from_config("c2hvcnQ=")


def test_blind_index_is_stable_per_tenant_and_differs_across(
    app_ctx: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with tenant_context(tenant_a.id):
        first = blind_index("email", "li@example.com")
        assert blind_index("email", "li@example.com") == first
        assert blind_index("phone", "li@example.com") != first
        assert "li@example.com" not in first
    with tenant_context(tenant_b.id):
        assert blind_index("email", "li@example.com") != first
