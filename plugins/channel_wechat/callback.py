"""WeCom's encrypted callbacks: signature check, AES decryption, message XML.

WeCom posts ``<xml><ToUserName/><AgentID/><Encrypt>…</Encrypt></xml>`` with
``msg_signature``, ``timestamp`` and ``nonce`` in the URL's query string.

- ``msg_signature`` is the hex SHA-1 of the sorted, concatenated
  ``callback_token``, ``timestamp``, ``nonce`` and ``Encrypt`` texts.
- ``Encrypt`` is base64 of AES-256-CBC with the key ``base64(EncodingAESKey + "=")``
  and the key's first 16 bytes as IV, padded PKCS#7-style to 32-byte blocks; the
  plaintext is 16 random bytes, the message length (4 bytes, big-endian), the
  message XML and the corp id, which must be the tenant's.

The query parameters reach the plugin through the webhook's headers: Rekindle's
webhook route forwards the request's query string as ``X-Rekindle-Query``; the
headers ``X-Wecom-Msg-Signature``, ``X-Wecom-Timestamp`` and ``X-Wecom-Nonce``
are read as well, for a relay that moves them there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from plugins import providers
from plugins.providers import SignatureError
from saas.hooks import ChannelEvent

BLOCK = 32
MAX_BODY = 256 * 1024


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode(),
                        usedforsecurity=False).hexdigest()


def decrypt(aes_key: str, encrypted: str, corp_id: str) -> bytes:
    """The message inside ``encrypted``; raises ``ValueError`` if it is not one for ``corp_id``."""
    key = base64.b64decode(aes_key + "=")
    try:
        data = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("Encrypt is not base64") from None
    if not data or len(data) % 16:
        raise ValueError("Encrypt is not whole AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise ValueError("Encrypt has bad padding")
    plain = plain[:-pad]
    if len(plain) < 20:
        raise ValueError("Encrypt is too short")
    (length,) = struct.unpack(">I", plain[16:20])
    message, receiver = plain[20:20 + length], plain[20 + length:]
    if len(message) != length or not hmac.compare_digest(receiver, corp_id.encode()):
        raise ValueError("the message is not for this corp id")
    return message


def parse_xml(data: bytes) -> ET.Element:
    """Parse WeCom's small XML, refusing DTDs (no entity expansion, ever)."""
    if len(data) > MAX_BODY:
        raise ValueError("the callback is too large")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise ValueError("the callback declares a DTD")
    try:
        return ET.fromstring(data)  # noqa: S314 — DTDs refused above
    except ET.ParseError as exc:
        raise ValueError(f"the callback is not XML: {exc}") from None


def query_params(headers: Mapping[str, str]) -> dict[str, str]:
    """``msg_signature``, ``timestamp``, ``nonce`` (and ``echostr``) from the headers."""
    forwarded = providers.header(headers, "X-Rekindle-Query") or ""
    params = {k: v[0] for k, v in parse_qs(forwarded).items()}
    for name in ("msg_signature", "timestamp", "nonce"):
        value = providers.header(headers, "X-Wecom-" + name.replace("_", "-"))
        if value and name not in params:
            params[name] = value
    return params


def open_envelope(settings: Mapping[str, Any], params: Mapping[str, str],
                  encrypted: str) -> bytes:
    """Check the signature and timestamp, then decrypt; raises ``SignatureError``/``ValueError``."""
    token, aes_key = settings.get("callback_token"), settings.get("callback_aes_key")
    if not token or not aes_key:
        raise SignatureError("the WeCom callback token and EncodingAESKey are not set")
    timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
    providers.check_timestamp(timestamp)
    expected = signature(str(token), timestamp, nonce, encrypted)
    if not hmac.compare_digest(expected, params.get("msg_signature", "")):
        raise SignatureError("the WeCom msg_signature does not match")
    return decrypt(str(aes_key), encrypted, str(settings["corp_id"]))


def verify_url(settings: Mapping[str, Any], params: Mapping[str, str]) -> str:
    """WeCom's URL check (``GET`` with ``echostr``): the text to answer with."""
    return open_envelope(settings, params, params.get("echostr", "")).decode()


def read_callback(headers: Mapping[str, str], body: bytes,
                  settings: Mapping[str, Any]) -> list[ChannelEvent]:
    """A text message from a user becomes a ``reply``; other events are skipped."""
    encrypted = parse_xml(body).findtext("Encrypt")
    if not encrypted:
        raise ValueError("the callback has no Encrypt element")
    message = parse_xml(open_envelope(settings, query_params(headers), encrypted.strip()))
    if message.findtext("MsgType") != "text":
        return []
    sender, msg_id = message.findtext("FromUserName"), message.findtext("MsgId")
    if not sender or not msg_id:
        raise ValueError("the message has no FromUserName or MsgId")
    return [ChannelEvent(
        kind="reply", provider_event_id=msg_id, sender=sender,
        text=message.findtext("Content") or "",
        occurred_at=providers.parse_time(message.findtext("CreateTime")))]
