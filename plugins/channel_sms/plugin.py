"""Hook implementations of the SMS channel.

The provider API it expects (any provider behind a small adapter fits it):

- ``POST {base_url}/v1/messages`` with header ``X-Api-Key`` and
  ``{"to": "+86…", "text": "…", "from": sender_id?, "client_reference": message_id}``
  answers ``201`` (or ``200`` when that ``client_reference`` was sent before — the
  same ``id``, no second message) with ``{"id", "status"}``; ``429`` with
  ``Retry-After``; ``5xx`` for its own trouble; ``400``/``422`` for a bad number.
- ``GET {base_url}/v1/account`` with the key: ``200`` when the key works.
- Callbacks (delivery reports and inbound replies) signed with
  ``X-Sms-Timestamp`` and ``X-Sms-Signature`` (see :mod:`plugins.channel_sms.reports`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import phonenumbers
from flask_babel import gettext as _

from plugins import providers
from plugins.channel_sms.reports import read_callback
from plugins.channel_sms.settings import SmsSettingsSchema
from saas.hooks import (
    ChannelEvent,
    HealthReport,
    OutgoingMessage,
    PluginManifest,
    SendResult,
    hookimpl,
)
from saas.net import OutboundError
from saas.tenancy.models import TenantInfo

NAME = "channel_sms"
REFUSED_STATUSES = frozenset({"rejected", "failed", "undeliverable"})


@hookimpl
def saas_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        name=NAME,
        title="SMS",
        kind="channel",
        version="1.0",
        description="Sends text messages through an HTTP SMS provider and reads its signed "
        "delivery reports and replies.",
        settings_schema=SmsSettingsSchema,
    )


def _headers(settings: Mapping[str, Any]) -> dict[str, str]:
    return {"X-Api-Key": str(settings["api_key"]), "Accept": "application/json"}


def e164(number: str) -> str | None:
    """The number in E.164 (``+8613…``), or ``None`` when it is not a valid one."""
    try:
        parsed = phonenumbers.parse(number, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


HEALTH_TEXTS = providers.HealthTexts(
    unreachable=lambda error: _("cannot reach the SMS provider: %(error)s", error=error),
    refused=lambda: _("the SMS provider refused the API key"),
    answered=lambda status: _("the SMS provider answered %(status)d", status=status),
    accepted=lambda: _("the SMS provider accepted the API key"),
)


@hookimpl
def saas_plugin_health_check(tenant: TenantInfo, settings: Mapping[str, Any]) -> HealthReport:
    return providers.http_health_check(NAME, settings, "/v1/account", _headers(settings),
                                       HEALTH_TEXTS)


@hookimpl
def saas_channel_send(
    tenant: TenantInfo, message: OutgoingMessage, settings: Mapping[str, Any]
) -> SendResult:
    to = e164(message.to)
    if to is None:
        return SendResult("failed", detail="not a valid phone number")
    wait = providers.waiting(NAME, tenant.id)
    if wait is not None:
        return wait
    payload: dict[str, Any] = {"to": to, "text": message.body,
                               "client_reference": message.message_id}
    if settings.get("sender_id"):
        payload["from"] = settings["sender_id"]
    try:
        response = providers.client(NAME, settings).post(
            providers.endpoint(settings, "/v1/messages"), json=payload,
            headers=_headers(settings), timeout=providers.timeout_of(settings))
    except OutboundError as exc:
        return providers.network_failure(exc)
    if response.status not in (200, 201, 202):
        return providers.http_failure(NAME, tenant.id, response, providers.answer_text(response))
    try:
        answer = response.json()
        provider_id = str(answer["id"])
    except (ValueError, KeyError, TypeError):
        # Accepted, but we cannot tell its id: sending again would be safe (same
        # client_reference), so ask for a retry rather than guess.
        return SendResult("retry", detail="the provider's answer has no message id")
    if str(answer.get("status", "")).lower() in REFUSED_STATUSES:
        return SendResult("failed", provider_message_id=provider_id,
                          detail=f"refused: {answer.get('error') or answer['status']}")
    return SendResult("sent", provider_message_id=provider_id)


@hookimpl
def saas_channel_webhook(
    tenant: TenantInfo, channel: str, headers: Mapping[str, str], body: bytes,
    settings: Mapping[str, Any],
) -> Sequence[ChannelEvent]:
    secret = settings.get("report_signing_secret") or settings.get("api_key")
    return read_callback(headers, body, secret)
