"""Show-once values across a redirect (a new API token), sealed inside the session.

The session cookie is signed, not encrypted, so a secret must not sit in it in
clear. ``stash_once`` seals the value with a key derived from the app's secret
key (Fernet: AES-128-CBC + HMAC, with a time stamp); ``take_once`` removes it
from the session and returns it at most once, within a few minutes.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app, session

TTL_SECONDS = 300


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"rekindle:show-once").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def stash_once(name: str, value: str) -> None:
    session[f"once:{name}"] = _fernet().encrypt(value.encode()).decode()


def take_once(name: str) -> str | None:
    sealed = session.pop(f"once:{name}", None)
    if not isinstance(sealed, str):
        return None
    try:
        return _fernet().decrypt(sealed.encode(), ttl=TTL_SECONDS).decode()
    except InvalidToken:
        return None
