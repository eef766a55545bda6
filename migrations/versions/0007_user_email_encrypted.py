"""user emails encrypted

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 03:50:00.000000

A tenant user's email moves from a plaintext column to ``email_ct`` (sealed
under the tenant's data key, like every other encrypted field) and
``email_index`` (its blind index, which now carries the sign-in lookup and the
per-tenant uniqueness). Existing rows are converted here, with the migration's
own connection: each tenant's active data and blind-index keys are unwrapped
with the configured master keys, or created when the tenant has none yet.
Downgrading decrypts them back. Platform staff emails stay as they are (see
docs/security.md).

"""
import datetime as dt
import uuid
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

import saas.timeutil
from saas.crypto.blind_index import blind_index_under, normalize_email
from saas.crypto.fields import associated_data, seal
from saas.crypto.keys import wrap_context
from saas.crypto.master import MasterKeyring

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

USER_EMAIL_INDEX = "user_email"  # saas.auth.models.USER_EMAIL_INDEX, fixed here

users = sa.table(
    "users",
    sa.column("tenant_id", sa.Uuid()), sa.column("id", sa.Uuid()),
    sa.column("email", sa.String()), sa.column("email_ct", sa.LargeBinary()),
    sa.column("email_index", sa.String()),
)
data_keys = sa.table(
    "data_keys",
    sa.column("tenant_id", sa.Uuid()), sa.column("id", sa.Uuid()),
    sa.column("owner_kind", sa.String()), sa.column("owner_id", sa.Uuid()),
    sa.column("purpose", sa.String()), sa.column("wrapped_by", sa.String()),
    sa.column("wrapped_key", sa.LargeBinary()), sa.column("active", sa.Boolean()),
    sa.column("created_at", saas.timeutil.UTCDateTime(timezone=True)),
    sa.column("destroyed_at", saas.timeutil.UTCDateTime(timezone=True)),
)


def _tenant_key(conn, ring: MasterKeyring, tenant_id: uuid.UUID, purpose: str,
                create: bool) -> tuple[uuid.UUID, bytes]:
    """The tenant's active key of ``purpose`` in clear (created when missing and allowed)."""
    row = conn.execute(
        sa.select(data_keys).where(
            data_keys.c.tenant_id == tenant_id, data_keys.c.owner_kind == "tenant",
            data_keys.c.owner_id == tenant_id, data_keys.c.purpose == purpose,
            data_keys.c.active.is_(True), data_keys.c.wrapped_key.is_not(None),
        ).order_by(data_keys.c.created_at.desc()).limit(1)
    ).first()
    if row is not None:
        kind, _, master_id = row.wrapped_by.partition(":")
        if kind != "master":
            raise RuntimeError(f"tenant key {row.id} is not wrapped by a master key")
        return row.id, ring.unwrap(master_id, row.wrapped_key, wrap_context(row))
    if not create:
        raise RuntimeError(f"tenant {tenant_id} has no {purpose} key to decrypt with")
    fresh = SimpleNamespace(id=uuid.uuid4(), tenant_id=tenant_id, owner_kind="tenant",
                            owner_id=tenant_id, purpose=purpose)
    secret = AESGCM.generate_key(bit_length=256)
    master_id, blob = ring.wrap(secret, wrap_context(fresh))
    conn.execute(data_keys.insert().values(
        tenant_id=tenant_id, id=fresh.id, owner_kind="tenant", owner_id=tenant_id,
        purpose=purpose, wrapped_by=f"master:{master_id}", wrapped_key=blob, active=True,
        created_at=dt.datetime.now(dt.UTC), destroyed_at=None,
    ))
    return fresh.id, secret


def _encrypt_emails() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(users.c.tenant_id, users.c.id, users.c.email)).all()
    if not rows:
        return
    ring = MasterKeyring.from_config(current_app.config["MASTER_KEYS"])
    keys: dict[uuid.UUID, tuple[uuid.UUID, bytes, bytes]] = {}
    for row in rows:
        if row.tenant_id not in keys:
            data_id, data = _tenant_key(conn, ring, row.tenant_id, "data", True)
            _index_id, index = _tenant_key(conn, ring, row.tenant_id, "blind_index", True)
            keys[row.tenant_id] = (data_id, data, index)
        data_id, data, index = keys[row.tenant_id]
        email = normalize_email(row.email)
        conn.execute(users.update().where(
            users.c.tenant_id == row.tenant_id, users.c.id == row.id,
        ).values(
            email_ct=seal(data_id, data, email.encode(),
                          associated_data(row.tenant_id, "users", row.id, "email")),
            email_index=blind_index_under(index, USER_EMAIL_INDEX, email),
        ))


def _decrypt_emails() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(users.c.tenant_id, users.c.id, users.c.email_ct)).all()
    if not rows:
        return
    ring = MasterKeyring.from_config(current_app.config["MASTER_KEYS"])
    found: dict[uuid.UUID, bytes] = {}
    for row in rows:
        key_id = uuid.UUID(bytes=row.email_ct[1:17])
        if key_id not in found:
            key_row = conn.execute(sa.select(data_keys).where(
                data_keys.c.tenant_id == row.tenant_id, data_keys.c.id == key_id)).one()
            found[key_id] = ring.unwrap(key_row.wrapped_by.partition(":")[2],
                                        key_row.wrapped_key, wrap_context(key_row))
        blob = row.email_ct
        email = AESGCM(found[key_id]).decrypt(
            blob[17:29], blob[29:], associated_data(row.tenant_id, "users", row.id, "email"))
        conn.execute(users.update().where(
            users.c.tenant_id == row.tenant_id, users.c.id == row.id,
        ).values(email=email.decode()))


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_ct', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('email_index', sa.String(length=64), nullable=True))
    _encrypt_emails()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_tenant_id_email'), type_='unique')
        batch_op.alter_column('email_index', existing_type=sa.String(length=64),
                              nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_users_tenant_id_email_index'),
                                          ['tenant_id', 'email_index'])
        batch_op.drop_column('email')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    _decrypt_emails()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_tenant_id_email_index'), type_='unique')
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_users_tenant_id_email'),
                                          ['tenant_id', 'email'])
        batch_op.drop_column('email_index')
        batch_op.drop_column('email_ct')
