"""Reading inbound e-mail from a relay: replies and delivery status notifications.

The tenant's inbound-mail relay posts each message it receives to the e-mail
channel's webhook, either

- as JSON ``{"message_id", "in_reply_to"?, "references"?, "from", "subject"?,
  "text", "received_at"?}`` (a relay that parses mail itself), or
- as the raw message with ``Content-Type: message/rfc822``.

A message becomes a ``reply`` event: the sender's address, its Message-ID, the
message it answers (``In-Reply-To``, else the last of ``References``; angle
brackets removed, as in the provider message ids the plugin returns) and the
reply text without the quoted history. A delivery status notification
(``multipart/report; report-type=delivery-status``) becomes a ``bounce`` per
failed recipient (``delivery`` per delivered one) for the original Message-ID.
Automatic replies (``Auto-Submitted``, out-of-office) are not replies and are
skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any, cast

from plugins import providers
from saas.hooks import ChannelEvent

MAX_MESSAGE = 10 * 1024 * 1024
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
# A line that opens the quoted history of a reply, in the clients' usual words.
QUOTE_OPENERS = [
    re.compile(r"^On .{4,200} wrote:\s*$"),
    re.compile(r"^在\s?.{4,200}写道[:：]\s*$"),
    re.compile(r"^-{2,}\s*(Original Message|原始邮件|Forwarded message)\s*-{2,}\s*$", re.I),
    re.compile(r"^(From|发件人)[:：]\s.+$"),
    re.compile(r"^_{10,}\s*$"),
]
DSN_KINDS = {"failed": "bounce", "delivered": "delivery"}


def read_inbound(headers: Mapping[str, str], body: bytes) -> list[ChannelEvent]:
    content_type = (providers.header(headers, "Content-Type") or "").split(";")[0].strip().lower()
    if len(body) > MAX_MESSAGE:
        raise ValueError("the message is too large")
    if content_type == "application/json":
        return _from_json(body)
    if content_type == "message/rfc822":
        return _from_rfc822(body)
    raise ValueError("send JSON (application/json) or a raw message (message/rfc822)")


def bare_id(value: str | None) -> str | None:
    """A Message-ID without angle brackets (the first one in ``value``)."""
    if not value:
        return None
    found = MESSAGE_ID.search(value)
    text = found.group(1) if found else value.strip()
    return text or None


def last_id(value: str | None) -> str | None:
    found = MESSAGE_ID.findall(value or "")
    return found[-1] if found else bare_id(value)


def reply_text(text: str) -> str:
    """The new part of a reply: up to the quoted history or the signature."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if stripped.startswith(">") or any(p.match(stripped) for p in QUOTE_OPENERS):
            if any(k.strip() for k in kept):
                break
            continue
        if line.rstrip() == "--":
            break
        kept.append(line)
    return "\n".join(kept).strip()


def _from_json(body: bytes) -> list[ChannelEvent]:
    try:
        item = json.loads(body)
    except ValueError:
        raise ValueError("the body is not JSON") from None
    if not isinstance(item, dict):
        raise ValueError("the body is not a JSON object")
    message_id, sender = bare_id(_str(item, "message_id")), parseaddr(_str(item, "from") or "")[1]
    if not message_id or not sender:
        raise ValueError("a message needs message_id and from")
    return [ChannelEvent(
        kind="reply", provider_event_id=message_id,
        in_reply_to=bare_id(_str(item, "in_reply_to")) or last_id(_str(item, "references")),
        sender=sender.lower(), text=reply_text(_str(item, "text") or ""),
        occurred_at=providers.parse_time(item.get("received_at")))]


def _str(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key!r} must be text")
    return value


def _from_rfc822(body: bytes) -> list[ChannelEvent]:
    mail = message_from_bytes(body, policy=policy.default)
    if mail.get_content_type() == "multipart/report":
        return _bounces(mail, body)
    auto = str(mail.get("Auto-Submitted", "no")).strip().lower()
    if auto != "no":
        return []
    sender = parseaddr(str(mail.get("From", "")))[1].lower()
    if not sender:
        raise ValueError("the message has no From address")
    message_id = bare_id(str(mail.get("Message-ID", ""))) or _digest(body)
    return [ChannelEvent(
        kind="reply", provider_event_id=message_id,
        in_reply_to=bare_id(str(mail.get("In-Reply-To", "")))
        or last_id(str(mail.get("References", ""))),
        sender=sender, text=reply_text(_plain_text(mail)), occurred_at=_date(mail))]


def _digest(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _date(mail: Message) -> Any:
    try:
        return parsedate_to_datetime(str(mail["Date"])) if mail["Date"] else None
    except (TypeError, ValueError):
        return None


def _plain_text(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = str(cast(EmailMessage, part).get_content())
    if part.get_content_subtype() == "html":
        text = re.sub(r"<(blockquote|div class=\"?gmail_quote)[\s\S]*", "", text, flags=re.I)
        text = re.sub(r"<br\s*/?>|</p>|</div>", "\n", text, flags=re.I)
        text = re.sub(r"<[^>]+>", "", text)
    return text


def _bounces(report: EmailMessage, body: bytes) -> list[ChannelEvent]:
    """A bounce (or delivery) per recipient of a delivery status notification."""
    original: str | None = None
    statuses: list[Message] = []
    for part in report.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            # The first block is per message; the rest are one per recipient.
            statuses.extend(list(part.get_payload())[1:])
        elif content_type in ("message/rfc822", "text/rfc822-headers") and original is None:
            original = _original_id(part)
    report_id = bare_id(str(report.get("Message-ID", ""))) or _digest(body)
    events = []
    for status in statuses:
        kind = DSN_KINDS.get(str(status.get("Action", "")).strip().lower())
        if kind is None:
            continue  # delayed, relayed, expanded: not an outcome yet
        recipient = str(status.get("Final-Recipient") or status.get("Original-Recipient") or "")
        address = recipient.split(";", 1)[-1].strip().lower()
        events.append(ChannelEvent(
            kind=kind, provider_event_id=f"{report_id}:{address}", provider_message_id=original,
            sender=address or None, text=str(status.get("Diagnostic-Code") or "") or None,
            occurred_at=_date(report)))
    return events


def _original_id(part: Message) -> str | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return bare_id(str(payload[0].get("Message-ID", "")))
    text = part.get_payload(decode=True)
    if isinstance(text, bytes):
        headers = message_from_bytes(text, policy=policy.default)
        return bare_id(str(headers.get("Message-ID", "")))
    return None
