"""Opting out from a message: the unsubscribe link and reply keywords.

**Links.** ``unsubscribe_url(candidate, channel)`` is a public URL ``/u/<token>``.
The token is opaque and unguessable: the tenant's id in clear (so the page knows
whose keys to use, with no lookup), then the candidate's id and the channel
encrypted and authenticated with AES-GCM under a link key derived from the
tenant's blind-index key. The nonce is derived from the content, so a
candidate's link for a channel is always the same URL (message rendering stays
idempotent). Links do not expire; they stop working when the candidate is
erased, and every link of a tenant is revoked by changing its blind-index key.
A forged, altered or foreign token simply decodes to nothing (404).

**Replies.** :func:`withdrawal_in_reply` recognises an opt-out in an inbound
reply: ``退订`` / ``取消订阅`` (and a few other unmistakable Chinese phrases)
anywhere in the text; ``STOP``, ``TD``, ``UNSUBSCRIBE``, ``STOPALL``, ``opt out``
as a standalone word (never inside another word: ``STOPPED`` and ``TDD`` do not
count); the short or everyday words ``T``, ``END``, ``CANCEL``, ``QUIT``
only as the whole reply.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import itertools
import re
import unicodedata
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import url_for

from saas.candidates.models import Candidate
from saas.crypto.keys import active_key
from saas.privacy.consent import record_withdrawal
from saas.privacy.models import CONSENT_CHANNELS, ConsentRecord
from saas.tenancy.context import require_tenant_id

_VERSION = b"\x01"
_LINK_LABEL = b"rekindle-unsubscribe-link-v1"


@dataclass(frozen=True)
class LinkTarget:
    """What a valid token names."""

    tenant_id: uuid.UUID
    candidate_id: uuid.UUID
    channel: str


def _link_key(tenant_id: uuid.UUID) -> bytes:
    """The tenant's link key (needs that tenant in context)."""
    _key_id, base = active_key("tenant", tenant_id, "blind_index")
    return hmac.new(base, _LINK_LABEL + tenant_id.bytes, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unsubscribe_token(candidate_id: uuid.UUID, channel: str) -> str:
    """The token for the candidate and channel (``all`` for every channel), current tenant."""
    if channel not in CONSENT_CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    tenant_id = require_tenant_id()
    key = _link_key(tenant_id)
    header = _VERSION + tenant_id.bytes
    plain = candidate_id.bytes + bytes([CONSENT_CHANNELS.index(channel)])
    nonce = hmac.new(key, plain, hashlib.sha256).digest()[:12]
    return _b64(header + nonce + AESGCM(key).encrypt(nonce, plain, header))


def token_tenant(token: str) -> uuid.UUID | None:
    """The tenant a token claims (not yet verified); ``None`` when it is not a token."""
    raw = _unb64(token)
    if raw is None or len(raw) != 1 + 16 + 12 + 17 + 16 or raw[:1] != _VERSION:
        return None
    return uuid.UUID(bytes=raw[1:17])


def read_token(token: str) -> LinkTarget | None:
    """Verify a token inside its tenant's context; ``None`` when forged or altered."""
    tenant_id = token_tenant(token)
    raw = _unb64(token)
    if tenant_id is None or raw is None or tenant_id != require_tenant_id():
        return None
    header, nonce, sealed = raw[:17], raw[17:29], raw[29:]
    try:
        plain = AESGCM(_link_key(tenant_id)).decrypt(nonce, sealed, header)
    except InvalidTag:
        return None
    if plain[16] >= len(CONSENT_CHANNELS):
        return None
    return LinkTarget(tenant_id, uuid.UUID(bytes=plain[:16]), CONSENT_CHANNELS[plain[16]])


def _unb64(token: str) -> bytes | None:
    if not token or len(token) > 200 or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        return None
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None


def unsubscribe_url(candidate: Candidate, channel: str) -> str:
    """The absolute public link a message carries (needs a request or SERVER_NAME)."""
    return url_for("privacy.unsubscribe", token=unsubscribe_token(candidate.id, channel),
                   _external=True)


# --- reply keywords ---------------------------------------------------------------------

_ANYWHERE = ("退订", "退訂", "取消订阅", "取消訂閱", "退出订阅", "拒收", "停止发送",
             "不要再联系我", "别再联系我", "不要再給我發", "不要再给我发", "别再给我发")
_WORDS = frozenset({"stop", "td", "unsubscribe", "stopall", "optout", "opt-out"})
_WHOLE = frozenset({"t", "end", "cancel", "quit", "opt out", "stop all", "remove me"})
_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def withdrawal_in_reply(text: str) -> bool:
    """Does this inbound reply ask to stop messages? (see the module docstring)."""
    normalized = unicodedata.normalize("NFKC", text or "").casefold()
    if any(phrase in normalized for phrase in _ANYWHERE):
        return True
    words = _TOKEN.findall(normalized)
    if " ".join(words) in _WHOLE:
        return True
    if any(word in _WORDS for word in words):
        return True
    return any(a == "opt" and b == "out" for a, b in itertools.pairwise(words))


def record_reply_withdrawal(candidate: Candidate, channel: str) -> tuple[ConsentRecord, bool]:
    """The candidate replied with an opt-out keyword on ``channel``: withdraw it."""
    return record_withdrawal(candidate, channel=channel, via="reply_keyword",
                             source="reply", actor_kind="system")


def record_link_withdrawal(candidate: Candidate, channel: str) -> tuple[ConsentRecord, bool]:
    """The candidate used their unsubscribe link (a visitor: no signed-in actor)."""
    return record_withdrawal(candidate, channel=channel, via="unsubscribe_link",
                             source="unsubscribe_link",
                             actor_kind="anonymous")
