"""Hook implementations of the LinkedIn channel.

The messaging API it expects:

- ``POST {base_url}/v2/messages`` with ``Authorization: Bearer <token>`` and
  ``{"recipient": profile URL or URN, "subject"?, "body", "idempotencyKey": message_id}``
  answers ``201`` (``200`` for a key it has seen: the same ``id``, nothing sent
  again) with ``{"id"}``; ``429`` with ``Retry-After``; ``5xx``; ``4xx`` for a
  recipient it cannot message.
- ``GET {base_url}/v2/me`` with the token: ``200`` when it is valid.
- Callbacks signed with ``X-Li-Signature``: the hex HMAC-SHA256 of the body with
  the signing secret; the body is ``{"events": [{"id", "type", "messageId"?,
  "inReplyTo"?, "from"?, "body"?, "createdAt"?}]}`` where ``type`` is
  ``message.delivered``, ``message.failed`` or ``message.reply``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _

from plugins import providers
from plugins.channel_linkedin.settings import LinkedInSettingsSchema
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

NAME = "channel_linkedin"
EVENT_KINDS = {"message.delivered": "delivery", "message.failed": "failed",
               "message.reply": "reply"}


@hookimpl
def saas_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        name=NAME,
        title={"en": "LinkedIn", "zh-CN": "领英"},
        kind="channel",
        version="1.0",
        description={
            "en": "Sends LinkedIn messages through an HTTP messaging API and reads "
                  "signed reply callbacks.",
            "zh-CN": "通过 HTTP 消息接口发送领英消息，并读取带签名的回复回调。",
        },
        settings_schema=LinkedInSettingsSchema,
    )


def _headers(settings: Mapping[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings['access_token']}",
            "Accept": "application/json"}


HEALTH_TEXTS = providers.HealthTexts(
    unreachable=lambda error: _("cannot reach the messaging API: %(error)s", error=error),
    refused=lambda: _("the messaging API refused the access token"),
    answered=lambda status: _("the messaging API answered %(status)d", status=status),
    accepted=lambda: _("the messaging API accepted the access token"),
)


@hookimpl
def saas_plugin_health_check(tenant: TenantInfo, settings: Mapping[str, Any]) -> HealthReport:
    return providers.http_health_check(NAME, settings, "/v2/me", _headers(settings),
                                       HEALTH_TEXTS)


@hookimpl
def saas_channel_send(
    tenant: TenantInfo, message: OutgoingMessage, settings: Mapping[str, Any]
) -> SendResult:
    wait = providers.waiting(NAME, tenant.id)
    if wait is not None:
        return wait
    payload: dict[str, Any] = {"recipient": message.to, "body": message.body,
                               "idempotencyKey": message.message_id}
    if message.subject:
        payload["subject"] = message.subject
    try:
        response = providers.client(NAME, settings).post(
            providers.endpoint(settings, "/v2/messages"), json=payload,
            headers={**_headers(settings), "Idempotency-Key": message.message_id},
            timeout=providers.timeout_of(settings))
    except OutboundError as exc:
        return providers.network_failure(exc)
    if response.status not in (200, 201, 202):
        return providers.http_failure(NAME, tenant.id, response, providers.answer_text(response))
    try:
        return SendResult("sent", provider_message_id=str(response.json()["id"]))
    except (ValueError, KeyError, TypeError):
        return SendResult("retry", detail="the provider's answer has no message id")


@hookimpl
def saas_channel_webhook(
    tenant: TenantInfo, channel: str, headers: Mapping[str, str], body: bytes,
    settings: Mapping[str, Any],
) -> Sequence[ChannelEvent]:
    providers.check_signature(settings.get("signing_secret"), body,
                              providers.header(headers, "X-Li-Signature"))
    try:
        payload = json.loads(body)
        items = payload["events"]
    except (ValueError, KeyError, TypeError):
        raise ValueError("the callback has no events list") from None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ValueError("the callback's events are not objects")
    return [_event(item) for item in items]


def _event(item: Mapping[str, Any]) -> ChannelEvent:
    kind = EVENT_KINDS.get(str(item.get("type")))
    if kind is None:
        raise ValueError(f"unknown event type {str(item.get('type'))[:40]!r}")
    if not item.get("id"):
        raise ValueError("an event has no id")
    return ChannelEvent(
        kind=kind, provider_event_id=str(item["id"]),
        provider_message_id=str(item["messageId"]) if item.get("messageId") else None,
        in_reply_to=str(item["inReplyTo"]) if item.get("inReplyTo") else None,
        sender=str(item["from"]) if item.get("from") else None,
        text=str(item["body"]) if item.get("body") is not None else None,
        occurred_at=providers.parse_time(item.get("createdAt")))
