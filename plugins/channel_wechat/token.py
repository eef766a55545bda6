"""WeCom access tokens: fetched with the corp secret, cached per tenant until they expire.

``GET {base_url}/cgi-bin/gettoken?corpid=…&corpsecret=…`` answers
``{"errcode": 0, "access_token": "…", "expires_in": 7200}``. WeCom limits how often
a token may be fetched, so every send of a tenant shares one token (per worker
process) until shortly before it expires, or until WeCom says it expired or is
invalid (errcodes 40014, 42001, 40001), when it is dropped and fetched again.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from plugins import providers
from saas.net import Response

NAME = "channel_wechat"
EXPIRED_TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
EARLY_REFRESH = 300  # seconds before WeCom's expiry that we fetch a new token


class TokenError(Exception):
    """No token: WeCom refused the credentials (``errcode``) or answered badly."""

    def __init__(self, detail: str, errcode: int | None = None,
                 response: Response | None = None) -> None:
        super().__init__(detail)
        self.errcode = errcode
        self.response = response


@dataclass(frozen=True)
class _Token:
    value: str
    fresh_until: float


class TokenCache:
    """Tokens by tenant and credentials (a changed secret never reuses an old token)."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str], _Token] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(tenant_id: object, settings: Mapping[str, Any]) -> tuple[str, str]:
        credentials = "\0".join(str(settings.get(k)) for k in ("base_url", "corp_id",
                                                               "corp_secret"))
        return str(tenant_id), hashlib.sha256(credentials.encode()).hexdigest()

    def get(self, tenant_id: object, settings: Mapping[str, Any]) -> str:
        """A valid token, fetched only when none is cached or it is about to expire."""
        key = self._key(tenant_id, settings)
        with self._lock:
            token = self._tokens.get(key)
        if token is not None and token.fresh_until > time.monotonic():
            return token.value
        value, expires_in = fetch_token(settings)
        with self._lock:
            self._tokens[key] = _Token(value, time.monotonic() + max(0, expires_in - EARLY_REFRESH))
        return value

    def drop(self, tenant_id: object, settings: Mapping[str, Any]) -> None:
        with self._lock:
            self._tokens.pop(self._key(tenant_id, settings), None)


tokens = TokenCache()


def fetch_token(settings: Mapping[str, Any]) -> tuple[str, int]:
    """A new token and its lifetime in seconds; raises :class:`TokenError`
    (or ``OutboundError`` when WeCom cannot be reached)."""
    query = urlencode({"corpid": settings["corp_id"], "corpsecret": settings["corp_secret"]})
    response = providers.client(NAME, settings).get(
        providers.endpoint(settings, f"/cgi-bin/gettoken?{query}"),
        timeout=providers.timeout_of(settings))
    if response.status != 200:
        raise TokenError(f"gettoken answered HTTP {response.status}", response=response)
    try:
        answer = response.json()
        errcode = int(answer.get("errcode", 0))
    except (ValueError, AttributeError, TypeError):
        raise TokenError("gettoken answered something that is not JSON") from None
    if errcode != 0 or not answer.get("access_token"):
        raise TokenError(f"gettoken refused: {errcode} {answer.get('errmsg', '')}".strip(),
                         errcode=errcode)
    return str(answer["access_token"]), int(answer.get("expires_in") or 7200)
