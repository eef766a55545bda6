"""What the channel plugins share when they talk to providers.

Settings fields every channel has (the provider's base URL, the tenant's
``allowed_hosts``, Rekindle's own ``webhook_secret``, a time-out), turning an
HTTP answer or a network failure into a :class:`SendResult`, honouring a
provider's ``Retry-After`` for the whole tenant (a *cool-down*: while it runs,
sends are answered ``retry`` without calling the provider again), and checking
a provider's HMAC signature on its callbacks.
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError, fields, validate

from saas.hooks import HealthReport, SendResult
from saas.net import (
    AllowedHostError,
    OutboundClient,
    OutboundError,
    OutboundRefused,
    Response,
    check_allowed_host,
    outbound_client,
    parse_allowed_hosts,
)

# A provider refusing our credentials is a settings problem the tenant can fix:
# the message waits (retry) instead of failing, but not every few seconds.
CREDENTIALS_RETRY_AFTER = 300.0
DEFAULT_RETRY_AFTER = 30.0
SIGNATURE_TOLERANCE = 300  # seconds a provider's signed timestamp may be off


class SignatureError(ValueError):
    """A provider's callback is not signed with the tenant's secret (or too old)."""


# -- settings fields ---------------------------------------------------------------


def _check_allowed_hosts(value: str) -> None:
    for entry in parse_allowed_hosts(value):
        try:
            check_allowed_host(entry)
        except AllowedHostError as exc:
            raise ValidationError(str(exc)) from exc


def base_url_field(example: str) -> fields.Url:
    return fields.Url(
        required=True, schemes={"http", "https"}, require_tld=False,
        validate=validate.Length(max=300),
        metadata={"label": {"en": "API base URL", "zh-CN": "API 基础地址"},
                  "description": {"en": f"The provider's API address, e.g. {example}.",
                                  "zh-CN": f"服务商的 API 地址，例如 {example}。"}},
    )


def allowed_hosts_field() -> fields.String:
    return fields.String(
        load_default=None, allow_none=True,
        validate=[validate.Length(max=1000), _check_allowed_hosts],
        metadata={"label": {"en": "Allowed internal hosts", "zh-CN": "允许的内部主机"},
                  "description": {
                      "en": "Only when the provider (or a relay) runs on your internal network: "
                            "host names, addresses or networks, separated by commas.",
                      "zh-CN": "仅当服务商（或中转）位于内部网络时填写：主机名、地址或网段，"
                               "用逗号分隔。"}},
    )


def webhook_secret_field() -> fields.String:
    return fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=16, max=200),
        metadata={"secret": True,
                  "label": {"en": "Webhook secret", "zh-CN": "Webhook 密钥"},
                  "description": {
                      "en": "Rekindle accepts callbacks on this channel's webhook only when "
                            "they are signed with it (HMAC-SHA256 over timestamp and body).",
                      "zh-CN": "只有用此密钥签名（对时间戳和正文做 HMAC-SHA256）的回调才会被"
                               "本渠道的 Webhook 接受。"}},
    )


def timeout_field(default: float = 4.0) -> fields.Float:
    return fields.Float(
        load_default=default, validate=validate.Range(min=0.5, max=30),
        metadata={"label": {"en": "Time-out (seconds)", "zh-CN": "超时（秒）"}},
    )


# -- calling the provider ----------------------------------------------------------


def client(plugin: str, settings: Mapping[str, Any]) -> OutboundClient:
    """The SSRF-safe client, open to exactly the hosts this tenant allowed."""
    return outbound_client(plugin, allowed_hosts=settings.get("allowed_hosts") or [])


def endpoint(settings: Mapping[str, Any], path: str) -> str:
    return str(settings["base_url"]).rstrip("/") + path


def timeout_of(settings: Mapping[str, Any]) -> tuple[float, float]:
    seconds = float(settings.get("timeout_seconds") or 4.0)
    return min(seconds, 5.0), seconds


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if text.replace(".", "", 1).isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())


def http_failure(plugin: str, tenant_id: object, response: Response, detail: str) -> SendResult:
    """A non-success HTTP answer as ``retry`` (429, 5xx, 408, credentials) or ``failed``."""
    status = response.status
    after = retry_after_seconds(response.headers.get("retry-after"))
    if status == 429:
        return rate_limited(plugin, tenant_id, after, f"429: {detail}")
    if status >= 500 or status == 408:
        return SendResult("retry", retry_after=after, detail=f"provider error {status}: {detail}")
    if status in (401, 403):
        return SendResult("retry", retry_after=CREDENTIALS_RETRY_AFTER,
                          detail=f"credentials refused ({status}): {detail}")
    return SendResult("failed", detail=f"refused ({status}): {detail}")


def network_failure(exc: OutboundError) -> SendResult:
    """No answer: a time-out or a broken connection may be retried; a request
    refused by the outbound policy (internal address not allowed…) cannot."""
    if isinstance(exc, OutboundRefused):
        return SendResult("failed", detail=f"not sent: {exc}")
    return SendResult("retry", detail=f"provider unreachable: {exc}")


def answer_text(response: Response, limit: int = 200) -> str:
    """A short, printable excerpt of the provider's answer for ``detail``."""
    return " ".join(response.text.split())[:limit]


class Cooldowns:
    """Per tenant and plugin: until when the provider asked us to wait (in-process)."""

    def __init__(self) -> None:
        self._until: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def remaining(self, plugin: str, tenant_id: object) -> float | None:
        with self._lock:
            until = self._until.get((plugin, str(tenant_id)))
        left = (until or 0.0) - time.monotonic()
        return left if left > 0 else None

    def hold(self, plugin: str, tenant_id: object, seconds: float | None) -> None:
        if not seconds:
            return
        with self._lock:
            self._until[(plugin, str(tenant_id))] = time.monotonic() + seconds


cooldowns = Cooldowns()


def waiting(plugin: str, tenant_id: object) -> SendResult | None:
    """``retry`` without calling the provider while a cool-down runs."""
    left = cooldowns.remaining(plugin, tenant_id)
    if left is None:
        return None
    return SendResult("retry", retry_after=left, detail="provider asked to wait (rate limit)")


def rate_limited(plugin: str, tenant_id: object, after: float | None, detail: str) -> SendResult:
    """The provider rate-limited us: wait as long as it said for every send of the tenant."""
    seconds = after or DEFAULT_RETRY_AFTER
    cooldowns.hold(plugin, tenant_id, seconds)
    return SendResult("retry", retry_after=seconds, detail=f"rate limited: {detail}")


# -- callbacks ------------------------------------------------------------------------


def header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def sign(secret: str, payload: bytes) -> str:
    """Hex HMAC-SHA256 of ``payload`` with ``secret``."""
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def check_signature(secret: str | None, payload: bytes, signature: str | None) -> None:
    """Raise :class:`SignatureError` unless ``signature`` is ``payload``'s HMAC."""
    if not secret:
        raise SignatureError("no signing secret is configured for this channel")
    if not signature:
        raise SignatureError("the callback is not signed")
    given = signature.strip().removeprefix("sha256=").lower()
    if not hmac.compare_digest(sign(secret, payload), given):
        raise SignatureError("the callback's signature does not match")


def check_timestamp(value: str | None, now: float | None = None) -> None:
    """Raise :class:`SignatureError` unless ``value`` (Unix seconds) is recent."""
    try:
        stamp = int(value or "")
    except ValueError:
        raise SignatureError("the callback has no valid timestamp") from None
    if abs((now or time.time()) - stamp) > SIGNATURE_TOLERANCE:
        raise SignatureError("the callback's timestamp is too old or in the future")


def parse_time(value: Any) -> datetime.datetime | None:
    """An ISO 8601 text or Unix seconds as an aware datetime (``None`` if absent)."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return datetime.datetime.fromtimestamp(int(value), datetime.UTC)
    try:
        when = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a time: {str(value)[:40]!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=datetime.UTC)


@dataclass(frozen=True)
class HealthTexts:
    """A provider's health-check sentences, translated by the caller (whole sentences,
    so each language words them its own way)."""

    unreachable: Callable[[str], str]  # given the error
    refused: Callable[[], str]
    answered: Callable[[int], str]  # given the HTTP status
    accepted: Callable[[], str]


def http_health_check(plugin: str, settings: Mapping[str, Any], path: str,
                      headers: Mapping[str, str], texts: HealthTexts) -> HealthReport:
    """GET ``path`` on the provider with the tenant's credentials and say what happened."""
    try:
        response = client(plugin, settings).get(
            endpoint(settings, path), headers=dict(headers), timeout=timeout_of(settings))
    except OutboundError as exc:
        return HealthReport(ok=False, detail=texts.unreachable(str(exc)))
    if response.status in (401, 403):
        return HealthReport(ok=False, detail=texts.refused(),
                            checks={"reachable": True, "authenticated": False})
    if response.status != 200:
        return HealthReport(ok=False, detail=texts.answered(response.status),
                            checks={"reachable": True})
    return HealthReport(ok=True, detail=texts.accepted(),
                        checks={"reachable": True, "authenticated": True})
