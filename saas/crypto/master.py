"""Master keys: they wrap (encrypt) the per-tenant data keys.

``REKINDLE_MASTER_KEYS`` holds comma-separated keys, newest first, each the
URL-safe base64 of 32 random bytes (as ``Fernet.generate_key()`` prints). The
newest wraps; every listed key still unwraps, so rotation is: put a new key in
front, re-wrap the tenant keys, then drop the old one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

WRAP_VERSION = b"\x01"


class KeyConfigError(ValueError):
    """The master-key configuration is missing or malformed."""


class UnwrapError(ValueError):
    """A wrapped key could not be unwrapped (unknown master key or tampering)."""


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    secret: bytes


def master_key_id(secret: bytes) -> str:
    return hashlib.sha256(b"rekindle-master-key-id" + secret).hexdigest()[:16]


class MasterKeyring:
    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise KeyConfigError("at least one master key is required")
        self._keys = [MasterKey(master_key_id(k), k) for k in keys]
        self._by_id = {k.key_id: k for k in self._keys}

    @classmethod
    def from_config(cls, value: str) -> MasterKeyring:
        keys: list[bytes] = []
        for position, raw in enumerate(p.strip() for p in value.split(",")):
            if not raw:
                continue
            try:
                secret = base64.urlsafe_b64decode(raw.encode())
            except (binascii.Error, ValueError) as exc:
                raise KeyConfigError(f"master key #{position + 1} is not base64") from exc
            if len(secret) != 32:
                raise KeyConfigError(f"master key #{position + 1} is not 32 bytes")
            keys.append(secret)
        return cls(keys)

    @property
    def newest_id(self) -> str:
        return self._keys[0].key_id

    def key_ids(self) -> list[str]:
        return [k.key_id for k in self._keys]

    def wrap(self, data_key: bytes, context: bytes) -> tuple[str, bytes]:
        """Encrypt ``data_key`` under the newest master key; returns (key id, blob)."""
        key = self._keys[0]
        nonce = os.urandom(12)
        blob = WRAP_VERSION + nonce + AESGCM(key.secret).encrypt(nonce, data_key, context)
        return key.key_id, blob

    def unwrap(self, key_id: str, blob: bytes, context: bytes) -> bytes:
        key = self._by_id.get(key_id)
        if key is None:
            raise UnwrapError(f"master key {key_id} is not configured")
        if blob[:1] != WRAP_VERSION:
            raise UnwrapError("unknown wrap format")
        try:
            return AESGCM(key.secret).decrypt(blob[1:13], blob[13:], context)
        except Exception as exc:
            raise UnwrapError("wrapped key failed authentication") from exc
