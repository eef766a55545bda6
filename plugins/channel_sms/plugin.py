"""Hook implementations of the SMS channel.

The provider API it expects (any provider behind a small adapter fits it):

- ``POST {base_url}/v1/messages`` with header ``X-Api-Key`` and
  ``{"to": "+86…", "text": "…", "from": sender_id?, "client_reference": message_id}``
  answers ``201`` (or ``200`` when that ``client_reference`` was sent before — the
  same ``id``, no second message) with ``{"id", "status"}``; ``429`` with
  ``Retry-After``; ``5xx`` for its own trouble; ``400``/``422`` for a bad number.
- ``POST {base_url}/v1/messages/batch`` with the same header and
  ``{"messages": [{"to", "text", "from"?, "client_reference"}, …]}`` (at most
  ``BATCH_LIMIT`` = 500 a request) answers ``200 {"results": [...]}``, one result a
  message in the order sent: ``{"client_reference", "id", "status"}`` when it was
  accepted (a ``client_reference`` seen before gets the same ``id``, no second
  message) or ``{"client_reference", "error": {"code", "message"}}`` when it was
  refused (a bad number: failed for good). ``429`` with ``Retry-After``, ``5xx``
  and a time-out concern the whole request: every message in it is retried.
  A result that does not line up with its message (the wrong number of results,
  another ``client_reference``, no ``id``) is retried too, which is safe by the
  ``client_reference``.
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
from saas.net import OutboundError, Response
from saas.tenancy.models import TenantInfo

NAME = "channel_sms"
REFUSED_STATUSES = frozenset({"rejected", "failed", "undeliverable"})
ACCEPTED_HTTP = frozenset({200, 201, 202})
BATCH_LIMIT = 500  # messages in one request to /v1/messages/batch
SINGLE_PATH, BATCH_PATH = "/v1/messages", "/v1/messages/batch"
INVALID_NUMBER = SendResult("failed", detail="not a valid phone number")
NO_ID = SendResult("retry", detail="the provider's answer has no message id")


@hookimpl
def saas_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        name=NAME,
        title={"en": "SMS", "zh-CN": "短信"},
        kind="channel",
        version="1.0",
        description={
            "en": "Sends text messages through an HTTP SMS provider and reads its signed "
                  "delivery reports and replies.",
            "zh-CN": "通过 HTTP 短信服务商发送短信，并读取其带签名的送达回执和回复。",
        },
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


def _payload(message: OutgoingMessage, to: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """One message as the provider takes it (alone, or as an entry of a batch)."""
    payload: dict[str, Any] = {"to": to, "text": message.body,
                               "client_reference": message.message_id}
    if settings.get("sender_id"):
        payload["from"] = settings["sender_id"]
    return payload


def _post(tenant: TenantInfo, settings: Mapping[str, Any], path: str,
          payload: Mapping[str, Any]) -> Response | SendResult:
    """POST ``payload`` to the provider: its answer when it accepted the request, else
    the outcome for everything in it (a cool-down runs, no answer, an HTTP error)."""
    wait = providers.waiting(NAME, tenant.id)
    if wait is not None:
        return wait
    try:
        response = providers.client(NAME, settings).post(
            providers.endpoint(settings, path), json=payload,
            headers=_headers(settings), timeout=providers.timeout_of(settings))
    except OutboundError as exc:
        return providers.network_failure(exc)
    if response.status not in ACCEPTED_HTTP:
        return providers.http_failure(NAME, tenant.id, response, providers.answer_text(response))
    return response


def _accepted(answer: Any) -> SendResult:
    """An accepted message's ``{"id", "status"}`` as its outcome.

    Without an id we cannot tell which message it became: sending again is safe
    (same ``client_reference``), so ask for a retry rather than guess.
    """
    provider_id = answer.get("id") if isinstance(answer, dict) else None
    if not isinstance(provider_id, str | int) or str(provider_id) == "":
        return NO_ID
    status = str(answer.get("status", ""))
    if status.lower() in REFUSED_STATUSES:
        return SendResult("failed", provider_message_id=str(provider_id),
                          detail=f"refused: {answer.get('error') or status}")
    return SendResult("sent", provider_message_id=str(provider_id))


@hookimpl
def saas_channel_send(
    tenant: TenantInfo, message: OutgoingMessage, settings: Mapping[str, Any]
) -> SendResult:
    to = e164(message.to)
    if to is None:
        return INVALID_NUMBER
    answer = _post(tenant, settings, SINGLE_PATH, _payload(message, to, settings))
    if isinstance(answer, SendResult):
        return answer
    try:
        return _accepted(answer.json())
    except ValueError:
        return NO_ID


@hookimpl
def saas_channel_send_batch(
    tenant: TenantInfo, messages: Sequence[OutgoingMessage], settings: Mapping[str, Any]
) -> list[SendResult]:
    """Invalid numbers fail on the spot; the rest go in requests of ``BATCH_LIMIT``.

    When a request gets no usable answer (a cool-down, a time-out, an HTTP error),
    the requests after it are not made: their messages get the same outcome, so a
    slow or unwell provider costs one time-out, not one a request.
    """
    outcomes: dict[int, SendResult] = {}
    pending: list[tuple[int, dict[str, Any]]] = []
    for index, message in enumerate(messages):
        to = e164(message.to)
        if to is None:
            outcomes[index] = INVALID_NUMBER
        else:
            pending.append((index, _payload(message, to, settings)))
    trouble: SendResult | None = None
    for start in range(0, len(pending), BATCH_LIMIT):
        chunk = pending[start:start + BATCH_LIMIT]
        payloads = [payload for _, payload in chunk]
        answer = trouble or _post(tenant, settings, BATCH_PATH, {"messages": payloads})
        if isinstance(answer, SendResult):
            trouble, results = answer, [answer] * len(chunk)
        else:
            results = _batch_results(payloads, answer)
        outcomes.update((index, result) for (index, _), result in zip(chunk, results,
                                                                       strict=True))
    return [outcomes[index] for index in range(len(messages))]


def _batch_results(payloads: Sequence[Mapping[str, Any]], response: Response) -> list[SendResult]:
    """The provider's ``{"results": [...]}`` read back onto the messages sent, in order."""
    try:
        results = response.json()["results"]
    except (ValueError, KeyError, TypeError):
        results = None
    if not isinstance(results, list) or len(results) != len(payloads):
        return [SendResult("retry", detail="the provider's batch answer does not have one "
                                           "result per message")] * len(payloads)
    return [_batch_result(payload["client_reference"], result)
            for payload, result in zip(payloads, results, strict=True)]


def _batch_result(reference: str, result: Any) -> SendResult:
    """One entry of ``results``: accepted, refused, or not about this message."""
    if not isinstance(result, dict) or result.get("client_reference") != reference:
        return SendResult("retry", detail="the provider's batch answer has another message "
                                          "in this one's place")
    error = result.get("error")
    if error is not None:
        if isinstance(error, dict):
            error = f"{error.get('code')}: {error.get('message')}"
        return SendResult("failed", detail=f"refused: {error}")
    return _accepted(result)


@hookimpl
def saas_channel_webhook(
    tenant: TenantInfo, channel: str, headers: Mapping[str, str], body: bytes,
    settings: Mapping[str, Any],
) -> Sequence[ChannelEvent]:
    secret = settings.get("report_signing_secret") or settings.get("api_key")
    return read_callback(headers, body, secret)
