"""Blind indexes: exact-match lookups on encrypted values (emails, phones).

A keyed HMAC-SHA256 per tenant over a normalised value. The key is a tenant
key of purpose ``blind_index``, separate from the data key so that data-key
rotation does not invalidate the indexes.
"""

from __future__ import annotations

import hashlib
import hmac

from saas.crypto.keys import active_key
from saas.tenancy.context import require_tenant_id


def blind_index(kind: str, normalized: str) -> str:
    """Hex HMAC of ``normalized`` under the tenant's blind-index key, per ``kind``."""
    tenant_id = require_tenant_id()
    _key_id, key = active_key("tenant", tenant_id, "blind_index")
    return blind_index_under(key, kind, normalized)


def blind_index_under(key: bytes, kind: str, normalized: str) -> str:
    """The blind index of ``normalized`` under a given clear key (a migration's own)."""
    message = kind.encode() + b"\x1f" + normalized.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def normalize_email(value: str) -> str:
    return value.strip().lower()
