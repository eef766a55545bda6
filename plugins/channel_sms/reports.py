"""Reading the SMS provider's signed callbacks: delivery reports and inbound replies.

The provider signs each callback with ``X-Sms-Timestamp`` (Unix seconds) and
``X-Sms-Signature``: the hex HMAC-SHA256 of ``"{timestamp}." + body`` with the
report signing secret (the API key when no separate secret is set). The body is
one event or ``{"events": [...]}``:

- a delivery report ``{"type": "delivery_report", "id", "status", "to",
  "client_reference"?, "error"?, "occurred_at"?}`` — ``delivered`` becomes a
  ``delivery``, ``undeliverable`` a ``bounce``, ``failed``/``expired``/``rejected``
  a ``failed`` event; other statuses (queued, sent) are progress and are skipped;
- an inbound message ``{"type": "inbound", "id", "from", "text", "received_at"?}``
  becomes a ``reply`` from that number (E.164).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import phonenumbers

from plugins import providers
from saas.hooks import ChannelEvent

REPORT_KINDS = {"delivered": "delivery", "undeliverable": "bounce", "failed": "failed",
                "expired": "failed", "rejected": "failed"}


def read_callback(
    headers: Mapping[str, str], body: bytes, secret: str | None
) -> list[ChannelEvent]:
    """The events in a callback; raises ``SignatureError``/``ValueError`` on a bad one."""
    timestamp = providers.header(headers, "X-Sms-Timestamp")
    providers.check_timestamp(timestamp)
    providers.check_signature(secret, f"{timestamp}.".encode() + body,
                              providers.header(headers, "X-Sms-Signature"))
    try:
        payload = json.loads(body)
    except ValueError:
        raise ValueError("the callback is not JSON") from None
    items = payload.get("events") if isinstance(payload, dict) and "events" in payload else [
        payload]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ValueError("the callback holds no events")
    events = [_event(item) for item in items]
    return [event for event in events if event is not None]


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if value in (None, ""):
        raise ValueError(f"an event has no {key!r}")
    return str(value)


def _phone(value: str) -> str:
    try:
        parsed = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _event(item: Mapping[str, Any]) -> ChannelEvent | None:
    kind = item.get("type") or ("inbound" if "from" in item else "delivery_report")
    if kind == "inbound":
        return ChannelEvent(
            kind="reply", provider_event_id=f"in:{_text(item, 'id')}",
            sender=_phone(_text(item, "from")), text=str(item.get("text") or ""),
            occurred_at=providers.parse_time(item.get("received_at")))
    if kind != "delivery_report":
        raise ValueError(f"unknown event type {str(kind)[:40]!r}")
    status = _text(item, "status").lower()
    event_kind = REPORT_KINDS.get(status)
    if event_kind is None:
        return None
    message_id = _text(item, "id")
    return ChannelEvent(
        kind=event_kind, provider_event_id=f"{message_id}:{status}",
        provider_message_id=message_id, text=str(item["error"]) if item.get("error") else None,
        occurred_at=providers.parse_time(item.get("occurred_at")))
