"""Encrypted fields: AES-256-GCM with the row's identity as associated data.

Declare the ciphertext column and the clear-text attribute side by side::

    email_ct: Mapped[bytes | None] = encrypted_column()
    email = Encrypted("email_ct", owner="candidate", owner_attr="id")

The associated data binds tenant, table, row id and field name, so a
ciphertext copied into another row, field or tenant fails to decrypt. The key
is the tenant's data key, or the candidate's own key (``owner="candidate"``),
so erasing a candidate makes every copy of their data unreadable.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import uuid
from collections.abc import Callable
from typing import Any, Generic, Literal, Self, TypeVar, overload

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Mapped, mapped_column

from saas.crypto.blind_index import blind_index
from saas.crypto.keys import active_key, key_material
from saas.ids import new_id
from saas.tenancy.context import require_tenant_id

FORMAT_VERSION = b"\x01"
_OPENED = "_rekindle_opened"  # per row object: field -> (ciphertext, clear value)
T = TypeVar("T")
Codec = Literal["text", "json", "date"]


class DecryptionError(ValueError):
    """A ciphertext failed authentication: tampered, or moved from elsewhere."""


def encrypted_column() -> Mapped[Any]:
    return mapped_column(sa.LargeBinary, nullable=True)


def _encode(value: Any, codec: Codec) -> bytes:
    if codec == "text":
        return str(value).encode()
    if codec == "date":
        if not isinstance(value, dt.date):
            raise TypeError("a date is required")
        return value.isoformat().encode()
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _decode(raw: bytes, codec: Codec) -> Any:
    if codec == "text":
        return raw.decode()
    if codec == "date":
        return dt.date.fromisoformat(raw.decode())
    return json.loads(raw)


def associated_data(tenant_id: uuid.UUID, table: str, row_id: uuid.UUID, field: str) -> bytes:
    return f"rekindle:v1|{tenant_id}|{table}|{row_id}|{field}".encode()


def seal(key_id: uuid.UUID, key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(12)
    return FORMAT_VERSION + key_id.bytes + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(blob: bytes, aad: bytes) -> bytes:
    if blob[:1] != FORMAT_VERSION or len(blob) < 1 + 16 + 12 + 16:
        raise DecryptionError("not a Rekindle ciphertext")
    key_id = uuid.UUID(bytes=blob[1:17])
    key = key_material(key_id)
    try:
        return AESGCM(key).decrypt(blob[17:29], blob[29:], aad)
    except Exception as exc:
        raise DecryptionError("ciphertext failed authentication") from exc


def sealed_key_id(blob: bytes) -> uuid.UUID:
    return uuid.UUID(bytes=blob[1:17])


class Encrypted(Generic[T]):
    """A clear-text attribute backed by an encrypted ``LargeBinary`` column."""

    def __init__(
        self,
        column: str,
        *,
        codec: Codec = "text",
        owner: Literal["tenant", "candidate"] = "tenant",
        owner_attr: str = "id",
    ) -> None:
        self.column = column
        self.codec: Codec = codec
        self.owner = owner
        self.owner_attr = owner_attr
        self.field = column

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = name

    def _aad(self, obj: Any) -> bytes:
        return associated_data(obj.tenant_id, obj.__tablename__, obj.id, self.field)

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> Self: ...
    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> T | None: ...
    def __get__(self, obj: object | None, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        blob = getattr(obj, self.column)
        if blob is None:
            return None
        # Opened once per ciphertext and row object: a batch reads a field many times.
        opened: dict[str, tuple[bytes, Any]] = obj.__dict__.setdefault(_OPENED, {})
        hit = opened.get(self.field)
        if hit is not None and hit[0] is blob:
            value = hit[1]
        else:
            value = _decode(open_sealed(blob, self._aad(obj)), self.codec)
            opened[self.field] = (blob, value)
        # A list or mapping is the caller's own copy: changing it changes nothing stored.
        return copy.deepcopy(value) if self.codec == "json" else value

    def __set__(self, obj: Any, value: T | None) -> None:
        if value is None:
            setattr(obj, self.column, None)
            return
        if obj.tenant_id is None:
            obj.tenant_id = require_tenant_id()
        if obj.id is None:
            obj.id = new_id()
        owner_id = obj.tenant_id if self.owner == "tenant" else getattr(obj, self.owner_attr)
        if owner_id is None:
            raise ValueError(f"{self.owner_attr} must be set before {self.field}")
        setattr(obj, self.column, self.sealed(value, table=obj.__tablename__,
                                              tenant_id=obj.tenant_id, row_id=obj.id,
                                              owner_id=owner_id))

    def sealed(self, value: T, *, table: str, tenant_id: uuid.UUID, row_id: uuid.UUID,
               owner_id: uuid.UUID) -> bytes:
        """The ciphertext of ``value`` for the row ``row_id`` of ``table`` — for a bulk
        INSERT that writes rows without objects. ``owner_id``: the tenant or candidate
        whose key seals it (see ``owner``)."""
        key_id, key = active_key(self.owner, owner_id, "data")
        return seal(key_id, key, _encode(value, self.codec),
                    associated_data(tenant_id, table, row_id, self.field))


class EncryptedLookup(Encrypted[str]):
    """Encrypted text with a blind index beside it, for sign-in lookups and uniqueness.

    Setting the attribute normalises the value, seals it and writes its blind
    index to ``index_column``. In a query, ``Model.attr == value`` compares blind
    indexes (the only comparison an encrypted value allows); anything else on the
    class attribute, such as ``func.lower(Model.attr)`` or selecting it, is refused
    by SQLAlchemy rather than silently matching nothing.
    """

    def __init__(self, column: str, *, index_column: str, kind: str,
                 normalize: Callable[[str], str]) -> None:
        super().__init__(column)
        self.index_column = index_column
        self.kind = kind
        self.normalize = normalize
        self._model: type | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        super().__set_name__(owner, name)
        self._model = owner

    def __set__(self, obj: Any, value: str | None) -> None:
        normalized = None if value is None else self.normalize(value)
        super().__set__(obj, normalized)
        setattr(obj, self.index_column,
                None if normalized is None else blind_index(self.kind, normalized))

    def index_of(self, value: str) -> str:
        """The blind index a stored ``value`` has (in the current tenant)."""
        return blind_index(self.kind, self.normalize(value))

    def __eq__(self, other: object) -> sa.ColumnElement[bool]:  # type: ignore[override]
        if not isinstance(other, str) or self._model is None:
            raise TypeError(f"{self.field} compares only with a string")
        column: sa.ColumnElement[str] = getattr(self._model, self.index_column)
        return column == self.index_of(other)

    def __hash__(self) -> int:
        return id(self)
