"""Building and sending one e-mail over SMTP.

The Message-ID is made from Rekindle's ``message_id`` and the sender's domain,
and returned (without angle brackets) as the provider message id, so a reply's
``In-Reply-To`` finds the message it answers. SMTP has no idempotency key: see
docs/channels.md for where a duplicate remains possible.
"""

from __future__ import annotations

import datetime
import re
import smtplib
import ssl
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from saas.hooks import OutgoingMessage, SendResult

# Headers the plugin writes itself; a caller's copy is ignored.
OWN_HEADERS = frozenset({
    "from", "to", "cc", "bcc", "sender", "subject", "date", "message-id", "reply-to",
    "mime-version", "content-type", "content-transfer-encoding", "content-language",
    "unsubscribe_url",
})
HEADER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,75}$")
# Characters allowed in a Message-ID's left part (RFC 5322 dot-atom text) besides
# letters and digits; anything else is written as =XX, so distinct ids stay distinct.
ATOM_EXTRA = set("!#$%&'*+-/?^_`{|}~.")


def open_smtp(settings: Mapping[str, Any]) -> smtplib.SMTP:
    """Connect and authenticate as the settings say; the caller closes it."""
    host, port = settings["host"], int(settings.get("port") or 587)
    timeout = float(settings.get("timeout_seconds") or 4)
    security = settings.get("security") or "starttls"
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if security == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        smtp.ehlo()
        if security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.get("username"):
            smtp.login(settings["username"], settings.get("password") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def message_id_for(message_id: str, sender: str) -> str:
    """``<key@sender-domain>`` for Rekindle's key (without the brackets)."""
    local = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in ATOM_EXTRA) and ch != "=" else
        "".join(f"={b:02X}" for b in ch.encode()) for ch in message_id
    ).strip(".") or "message"
    return f"{local}@{sender.rsplit('@', 1)[1]}"


def build_email(message: OutgoingMessage, settings: Mapping[str, Any]) -> EmailMessage:
    sender = str(settings["sender"])
    mail = EmailMessage()
    mail.set_content(message.body, subtype="plain", charset="utf-8")  # first: it resets Content-*
    user, domain = sender.rsplit("@", 1)
    mail["From"] = Address(settings.get("sender_name") or "", user, domain)
    mail["To"] = message.to
    mail["Subject"] = message.subject or ""
    mail["Date"] = format_datetime(datetime.datetime.now(datetime.UTC))
    mail["Message-ID"] = f"<{message_id_for(message.message_id, sender)}>"
    if message.reply_to:
        mail["Reply-To"] = message.reply_to
    if message.locale:
        mail["Content-Language"] = message.locale
    for name, value in message.headers.items():
        if name.lower() not in OWN_HEADERS and HEADER_NAME.match(name) and name not in mail:
            mail[name] = value
    unsubscribe = message.headers.get("unsubscribe_url")
    if unsubscribe and "List-Unsubscribe" not in mail:
        mail["List-Unsubscribe"] = f"<{unsubscribe}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return mail


def _by_code(code: int, what: str) -> SendResult:
    """SMTP reply codes: 4xx is temporary (retry), 5xx permanent (failed)."""
    if 400 <= code < 500:
        return SendResult("retry", detail=f"{what} deferred ({code})")
    return SendResult("failed", detail=f"{what} refused ({code})")


def send_email(message: OutgoingMessage, settings: Mapping[str, Any]) -> SendResult:
    try:
        mail = build_email(message, settings)
    except (ValueError, TypeError) as exc:
        return SendResult("failed", detail=f"cannot write this e-mail: {exc}")
    provider_id = mail["Message-ID"].strip("<>")
    try:
        smtp = open_smtp(settings)
    except smtplib.SMTPAuthenticationError as exc:
        return SendResult("retry", retry_after=300, detail=f"SMTP login refused ({exc.smtp_code})")
    except (OSError, smtplib.SMTPException) as exc:
        # Trouble with the server, not with this message: it waits for the server.
        return SendResult("retry", detail=f"cannot reach SMTP server: {exc}")
    try:
        smtp.send_message(mail, from_addr=str(settings["sender"]), to_addrs=[message.to])
    except smtplib.SMTPRecipientsRefused as exc:
        code = next(iter(exc.recipients.values()))[0]
        return _by_code(code, "recipient")
    except smtplib.SMTPSenderRefused as exc:
        return _by_code(exc.smtp_code, "sender")
    except smtplib.SMTPResponseException as exc:
        return _by_code(exc.smtp_code, "message")
    except (OSError, smtplib.SMTPException) as exc:
        return SendResult("retry", detail=f"SMTP connection lost: {exc}")
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return SendResult("sent", provider_message_id=provider_id)
