"""Encryption primitives: master keys, data keys, encrypted fields, blind indexes."""

from saas.crypto.blind_index import blind_index, normalize_email
from saas.crypto.fields import DecryptionError, Encrypted, encrypted_column
from saas.crypto.keys import DataKey, KeyDestroyed, active_key, create_key, destroy_keys
from saas.crypto.master import KeyConfigError, MasterKeyring, UnwrapError

__all__ = [
    "DataKey",
    "DecryptionError",
    "Encrypted",
    "KeyConfigError",
    "KeyDestroyed",
    "MasterKeyring",
    "UnwrapError",
    "active_key",
    "blind_index",
    "create_key",
    "destroy_keys",
    "encrypted_column",
    "normalize_email",
]
