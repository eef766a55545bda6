"""The e-mail channel against a real local SMTP server (aiosmtpd), and inbound mail."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask

from plugins.channel_email import (
    saas_channel_send,
    saas_channel_webhook,
    saas_plugin_health_check,
)
from plugins.channel_email.sending import message_id_for
from saas.hooks import OutgoingMessage
from saas.tenancy.models import TenantInfo
from tests.plugins.standins import SmtpStandIn, free_port, tls_files

RFC822 = {"Content-Type": "message/rfc822"}


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return tls_files(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture()
def trusted(cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The client trusts the test certificate (and nothing else) as it would a real CA."""
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    return cert


@pytest.fixture()
def smtp() -> Iterator[SmtpStandIn]:
    with SmtpStandIn() as server:
        yield server


def mail(message_id: str = "msg-1", **extra: object) -> OutgoingMessage:
    fields: dict[str, object] = {
        "message_id": message_id, "channel": "email", "to": "wang.wei@example.com",
        "subject": "王伟，去年10月聊到的弹性工作制",
        "body": "王伟你好：\n\n公司推出了弹性工作制。\n",
        "locale": "zh-CN", "reply_to": "li.na@acme.example",
        "headers": {"unsubscribe_url": "https://rekindle.example/u/abc"}}
    fields.update(extra)
    return OutgoingMessage(**fields)  # type: ignore[arg-type]


def test_send_writes_a_utf8_message_with_our_message_id(smtp: SmtpStandIn,
                                                        tenant: TenantInfo) -> None:
    result = saas_channel_send(tenant, mail(), smtp.settings(sender_name="Acme 人才团队"))
    assert (result.status, result.provider_message_id) == ("sent", "msg-1@acme.example")
    (got,) = smtp.messages
    assert got["Message-ID"] == "<msg-1@acme.example>"
    assert got["Subject"] == "王伟，去年10月聊到的弹性工作制"
    assert got["To"] == "wang.wei@example.com"
    assert got["From"].addresses[0].addr_spec == "talent@acme.example"
    assert got["From"].addresses[0].display_name == "Acme 人才团队"
    assert got["Reply-To"] == "li.na@acme.example"
    assert got["Content-Language"] == "zh-CN"
    assert got["Date"] is not None
    assert got["List-Unsubscribe"] == "<https://rekindle.example/u/abc>"
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert got.get_content_type() == "text/plain"
    assert got.get_content_charset() == "utf-8"
    assert got.get_content().replace("\r\n", "\n") == "王伟你好：\n\n公司推出了弹性工作制。\n"
    raw = smtp.envelopes[0][2]
    assert b"=?utf-8?" in raw  # the subject is encoded, the wire stays 7-bit safe
    assert smtp.envelopes[0][:2] == ("talent@acme.example", ["wang.wei@example.com"])


def test_caller_headers_cannot_override_ours(smtp: SmtpStandIn, tenant: TenantInfo) -> None:
    message = mail(headers={"From": "ceo@evil.example", "Bcc": "x@evil.example",
                            "In-Reply-To": "<earlier@acme.example>", "Bad Name": "x"})
    assert saas_channel_send(tenant, message, smtp.settings()).status == "sent"
    (got,) = smtp.messages
    assert got["From"].addresses[0].addr_spec == "talent@acme.example"
    assert got["Bcc"] is None and got["Bad Name"] is None
    assert got["In-Reply-To"] == "<earlier@acme.example>"
    assert got["List-Unsubscribe"] is None


def test_header_injection_in_the_address_fails(smtp: SmtpStandIn, tenant: TenantInfo) -> None:
    result = saas_channel_send(tenant, mail(to="a@example.com\r\nBcc: b@example.com"),
                               smtp.settings())
    assert result.status == "failed"
    assert smtp.messages == []


def test_a_retry_carries_the_same_message_id(smtp: SmtpStandIn, tenant: TenantInfo) -> None:
    """SMTP has no idempotency key: a retry after an accepted DATA sends again, but
    with the same Message-ID, so the duplicate is recognisable (docs/channels.md)."""
    first = saas_channel_send(tenant, mail(), smtp.settings())
    second = saas_channel_send(tenant, mail(), smtp.settings())
    assert first.provider_message_id == second.provider_message_id
    assert [m["Message-ID"] for m in smtp.messages] == ["<msg-1@acme.example>"] * 2


def test_message_id_keeps_distinct_keys_distinct() -> None:
    assert message_id_for("a:b", "x@acme.example") == "a=3Ab@acme.example"
    assert message_id_for("a=3Ab", "x@acme.example") == "a=3D3Ab@acme.example"
    assert message_id_for("招聘", "x@acme.example").endswith("@acme.example")


def test_starttls_with_authentication(trusted: tuple[Path, Path], tenant: TenantInfo) -> None:
    with SmtpStandIn(security="starttls", cert=trusted, username="talent",
                     password="s3cret") as server:
        assert saas_channel_send(tenant, mail(), server.settings()).status == "sent"
        assert len(server.messages) == 1
        assert saas_plugin_health_check(tenant, server.settings()).ok
        refused = saas_channel_send(tenant, mail("msg-2"), server.settings(password="wrong"))
        assert (refused.status, refused.retry_after) == ("retry", 300)
        assert len(server.messages) == 1


def test_tls_from_the_start(trusted: tuple[Path, Path], tenant: TenantInfo) -> None:
    with SmtpStandIn(security="tls", cert=trusted, username="talent",
                     password="s3cret") as server:
        assert saas_channel_send(tenant, mail(), server.settings()).status == "sent"
        assert server.messages[0]["Message-ID"] == "<msg-1@acme.example>"


def test_an_untrusted_certificate_is_not_sent_to(cert: tuple[Path, Path],
                                                 tenant: TenantInfo) -> None:
    with SmtpStandIn(security="starttls", cert=cert) as server:
        result = saas_channel_send(tenant, mail(), server.settings())
        assert result.status == "retry" and "certificate" in result.detail.lower()
        assert server.messages == []


def test_refused_recipient_fails_and_deferred_one_retries(smtp: SmtpStandIn,
                                                          tenant: TenantInfo) -> None:
    smtp.refuse["gone@example.com"] = "550 5.1.1 no such user"
    smtp.refuse["busy@example.com"] = "451 4.3.0 try again later"
    gone = saas_channel_send(tenant, mail(to="gone@example.com"), smtp.settings())
    assert gone.status == "failed" and "550" in gone.detail
    busy = saas_channel_send(tenant, mail(to="busy@example.com"), smtp.settings())
    assert busy.status == "retry" and "451" in busy.detail
    assert smtp.messages == []


def test_connection_refused_is_a_retry(tenant: TenantInfo) -> None:
    settings = {"host": "127.0.0.1", "port": free_port(), "sender": "talent@acme.example",
                "security": "none", "timeout_seconds": 1.0}
    result = saas_channel_send(tenant, mail(), settings)
    assert result.status == "retry" and "cannot reach" in result.detail


def test_a_silent_server_is_a_time_out_retry(tenant: TenantInfo) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the connection, never greets
        settings = {"host": "127.0.0.1", "port": silent.getsockname()[1],
                    "sender": "talent@acme.example", "security": "none",
                    "timeout_seconds": 1.0}
        result = saas_channel_send(tenant, mail(), settings)
    assert result.status == "retry" and "timed out" in result.detail


# -- inbound --------------------------------------------------------------------------------


def reply_to(original: EmailMessage, text: str, *, in_reply_to: bool = True,
             **headers: str) -> bytes:
    reply = EmailMessage()
    reply["From"] = "Wang Wei <Wang.Wei@Example.com>"
    reply["To"] = "talent@acme.example"
    reply["Subject"] = "Re: " + str(original["Subject"])
    reply["Message-ID"] = "<reply-1@example.com>"
    reply["Date"] = "Tue, 14 Oct 2025 10:00:00 +0800"
    if in_reply_to:
        reply["In-Reply-To"] = original["Message-ID"]
    reply["References"] = original["Message-ID"]
    for name, value in headers.items():
        reply[name.replace("_", "-")] = value
    reply.set_content(text)
    return bytes(reply)


def test_a_raw_reply_is_matched_by_in_reply_to(smtp: SmtpStandIn, tenant: TenantInfo) -> None:
    sent = saas_channel_send(tenant, mail(), smtp.settings())
    body = reply_to(smtp.messages[0], "好的，下个月可以聊聊。\n\n"
                    "在 2025年10月12日 10:00，Acme <talent@acme.example> 写道：\n"
                    "> 王伟你好：\n> 公司推出了弹性工作制。\n")
    (event,) = saas_channel_webhook(tenant, "email", RFC822, body, smtp.settings())
    assert event.kind == "reply"
    assert event.in_reply_to == sent.provider_message_id
    assert event.provider_event_id == "reply-1@example.com"
    assert event.sender == "wang.wei@example.com"
    assert event.text == "好的，下个月可以聊聊。"
    assert event.occurred_at is not None and event.occurred_at.utcoffset() is not None


def test_english_quote_and_signature_are_stripped(tenant: TenantInfo) -> None:
    original = EmailMessage()
    original["Subject"], original["Message-ID"] = "Hello", "<msg-9@acme.example>"
    body = reply_to(original, "Sounds good, call me Friday.\n-- \nWei\n\n"
                    "On Mon, 13 Oct 2025 at 10:00, Acme <talent@acme.example> wrote:\n> Hi\n",
                    in_reply_to=False)
    (event,) = saas_channel_webhook(tenant, "email", RFC822, body, {})
    assert event.text == "Sounds good, call me Friday."
    assert event.in_reply_to == "msg-9@acme.example"  # from References


def test_the_relay_json_shape(tenant: TenantInfo) -> None:
    body = json.dumps({"message_id": "<r-2@example.com>", "in_reply_to": "<msg-1@acme.example>",
                       "from": "Wang Wei <wang.wei@example.com>", "subject": "Re: hi",
                       "text": "不用了，谢谢\n\n> 原文",
                       "received_at": "2025-10-14T10:00:00+08:00"})
    (event,) = saas_channel_webhook(tenant, "email", {"content-type": "application/json"},
                                    body.encode(), {})
    assert (event.kind, event.provider_event_id, event.in_reply_to, event.sender, event.text) == (
        "reply", "r-2@example.com", "msg-1@acme.example", "wang.wei@example.com", "不用了，谢谢")


def test_a_delivery_status_notification_is_a_bounce(smtp: SmtpStandIn,
                                                     tenant: TenantInfo) -> None:
    sent = saas_channel_send(tenant, mail(), smtp.settings())
    dsn = (
        "From: MAILER-DAEMON@mx.example.com\r\nTo: talent@acme.example\r\n"
        "Subject: Undelivered Mail\r\nMessage-ID: <dsn-1@mx.example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        "Final-Recipient: rfc822; wang.wei@example.com\r\nAction: failed\r\n"
        "Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{sent.provider_message_id}>\r\nSubject: hello\r\n"
        "--B--\r\n").encode()
    (event,) = saas_channel_webhook(tenant, "email", RFC822, dsn, {})
    assert event.kind == "bounce"
    assert event.provider_message_id == sent.provider_message_id
    assert event.sender == "wang.wei@example.com"
    assert event.text is not None and "550" in event.text


def test_auto_replies_are_not_replies(tenant: TenantInfo) -> None:
    original = EmailMessage()
    original["Subject"], original["Message-ID"] = "Hello", "<msg-1@acme.example>"
    body = reply_to(original, "I am out of office.", Auto_Submitted="auto-replied")
    assert saas_channel_webhook(tenant, "email", RFC822, body, {}) == []


@pytest.mark.parametrize(("headers", "body", "problem"), [
    ({"Content-Type": "text/plain"}, b"hello", "JSON"),
    ({"Content-Type": "application/json"}, b"{not json", "not JSON"),
    ({"Content-Type": "application/json"}, b'{"text": "no sender"}', "message_id and from"),
    ({"Content-Type": "application/json"}, b'{"message_id": 5, "from": "a@b.c"}', "text"),
    (RFC822, b"Subject: no sender\r\n\r\nhi", "no From"),
])
def test_bad_inbound_is_refused(tenant: TenantInfo, headers: dict[str, str], body: bytes,
                                problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        saas_channel_webhook(tenant, "email", headers, body, {})


def test_health_check_reports_a_stopped_server(app: Flask, tenant: TenantInfo) -> None:
    server = SmtpStandIn().start()
    settings = server.settings()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        working = saas_plugin_health_check(tenant, settings)
    assert working.ok and working.detail == "the SMTP server answered 250"
    server.stop()
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        stopped = saas_plugin_health_check(tenant, settings)
    assert not stopped.ok and stopped.detail.startswith("无法连接 SMTP 服务器：")


def test_concurrent_sends_each_arrive_once(smtp: SmtpStandIn, tenant: TenantInfo) -> None:
    results: list[str] = []
    threads = [threading.Thread(target=lambda n=n: results.append(
        saas_channel_send(tenant, mail(f"m-{n}"), smtp.settings()).status)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["sent"] * 5
    assert sorted(m["Message-ID"] for m in smtp.messages) == [
        f"<m-{n}@acme.example>" for n in range(5)]
