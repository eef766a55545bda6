"""Moving a tenant's rows to a new tenant id: keys re-wrapped, values re-sealed, trail re-chained.

Everything encrypted is bound to the tenant id: data keys through their wrap
context, values through their associated data, audit events through their
hash. A restore under a new tenant id therefore unwraps each key with the old
context and wraps the same key material with the new one, opens every value
with the old associated data and seals it again (same key, fresh nonce) with
the new, and — when the archived trail verifies — re-chains the audit events.

Candidates whose key was destroyed after the backup (erased since) are left
out, with every row that refers to them; their keys are kept as destroyed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from saas.audit.chain import GENESIS, event_hash
from saas.crypto.fields import associated_data, seal, sealed_key_id
from saas.crypto.keys import DataKey, keyring
from saas.crypto.rotation import EncryptedField, encrypted_fields
from saas.timeutil import utcnow

Row = dict[str, Any]


def _wrap_context(tenant_id: uuid.UUID, row: Row, owner_id: uuid.UUID) -> bytes:
    key = DataKey(tenant_id=tenant_id, id=row["id"], owner_kind=row["owner_kind"],
                  owner_id=owner_id, purpose=row["purpose"])
    return key.wrap_context()


def _open(blob: bytes, key: bytes, aad: bytes) -> bytes:
    """Open a blob made by :func:`saas.crypto.fields.seal` (version, key id, nonce, ciphertext)."""
    return AESGCM(key).decrypt(blob[17:29], blob[29:], aad)


def _unwrap_child(wrapped: bytes, parent: bytes, context: bytes) -> bytes:
    """Unwrap a key wrapped by another data key (nonce, ciphertext; see ``keys._wrap``)."""
    return AESGCM(parent).decrypt(wrapped[:12], wrapped[12:], context)


class Rekeyer:
    def __init__(self, source_id: uuid.UUID, target_id: uuid.UUID) -> None:
        self.source_id, self.target_id = source_id, target_id
        self.materials: dict[uuid.UUID, bytes] = {}
        self.unreadable_values = 0
        self.fields: dict[str, list[EncryptedField]] = {}
        for spec in encrypted_fields():
            self.fields.setdefault(spec.table, []).append(spec)
        self.chain_rebuilt: bool | None = None
        self.last_hash = GENESIS

    def keys(self, rows: list[Row], erased: set[uuid.UUID]) -> list[Row]:
        """The data-key rows moved to the new tenant id (erased candidates' destroyed)."""
        ring = keyring()
        by_id = {row["id"]: row for row in rows}

        def material(key_id: uuid.UUID) -> bytes | None:
            if key_id in self.materials:
                return self.materials[key_id]
            row = by_id.get(key_id)
            if row is None or row["wrapped_key"] is None:
                return None
            kind, _, ref = row["wrapped_by"].partition(":")
            context = _wrap_context(self.source_id, row, row["owner_id"])
            if kind == "master":
                secret = ring.unwrap(ref, row["wrapped_key"], context)
            else:
                parent = material(uuid.UUID(ref))
                if parent is None:
                    return None
                secret = _unwrap_child(row["wrapped_key"], parent, context)
            self.materials[key_id] = secret
            return secret

        moved: list[Row] = []
        for row in rows:
            row = dict(row)
            owner = self.target_id if row["owner_kind"] == "tenant" else row["owner_id"]
            if row["owner_kind"] == "candidate" and row["owner_id"] in erased:
                row.update(wrapped_key=None, active=False,
                           destroyed_at=row["destroyed_at"] or utcnow())
                secret = None
            else:
                secret = material(row["id"])
            if secret is not None:
                context = _wrap_context(self.target_id, row, owner)
                kind, _, ref = row["wrapped_by"].partition(":")
                if kind == "master":
                    master_id, row["wrapped_key"] = ring.wrap(secret, context)
                    row["wrapped_by"] = f"master:{master_id}"
                else:
                    nonce = os.urandom(12)
                    parent = self.materials[uuid.UUID(ref)]
                    row["wrapped_key"] = nonce + AESGCM(parent).encrypt(nonce, secret, context)
            row["owner_id"] = owner
            moved.append(row)
        return moved

    def values(self, table: str, row: Row) -> Row:
        """``row`` with every encrypted value sealed again for the new tenant id."""
        for spec in self.fields.get(table, ()):
            blob = row.get(spec.column)
            if blob is None:
                continue
            key_id = sealed_key_id(blob)
            key = self.materials.get(key_id)
            if key is None:
                row[spec.column] = None  # its key was destroyed: it could never be read again
                continue
            old = associated_data(self.source_id, table, row["id"], spec.field)
            try:
                plaintext = _open(blob, key, old)
            except Exception:
                self.unreadable_values += 1
                continue
            new = associated_data(self.target_id, table, row["id"], spec.field)
            row[spec.column] = seal(key_id, key, plaintext, new)
        return row

    def audit_events(self, rows: Iterable[Row]) -> list[Row]:
        """Re-chain the trail for the new tenant id if it verifies as archived; else keep it."""
        rows = list(rows)
        before_chain = [row for row in rows if row["seq"] is None]
        ordered = sorted((row for row in rows if row["seq"] is not None), key=lambda r: r["seq"])
        if not ordered:
            return before_chain
        if not self._verifies(ordered):
            self.chain_rebuilt = False
            return before_chain + ordered
        previous = GENESIS
        for row in ordered:
            row["prev_hash"] = previous
            row["hash"] = event_hash(SimpleNamespace(**row), tenant_id=self.target_id,
                                     seq=row["seq"], prev_hash=previous)
            previous = row["hash"]
        self.chain_rebuilt, self.last_hash = True, previous
        return before_chain + ordered

    def _verifies(self, ordered: list[Row]) -> bool:
        previous = GENESIS
        for position, row in enumerate(ordered, start=1):
            if row["seq"] != position or row["prev_hash"] != previous:
                return False
            expected = event_hash(SimpleNamespace(**row), tenant_id=self.source_id,
                                  seq=position, prev_hash=previous)
            if expected != row["hash"]:
                return False
            previous = row["hash"]
        return True
