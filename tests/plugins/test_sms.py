"""The SMS channel against the local SMS provider stand-in."""

from __future__ import annotations

import time
from typing import Any

import pytest

from plugins.channel_sms import (
    saas_channel_send,
    saas_channel_webhook,
    saas_plugin_health_check,
)
from plugins.channel_sms.settings import SmsSettingsSchema
from plugins.providers import SignatureError
from saas.hooks import OutgoingMessage
from saas.tenancy.models import TenantInfo
from tests.plugins.standins import SmsStandIn


def settings_for(sms: SmsStandIn, **extra: Any) -> dict[str, Any]:
    raw = {"base_url": sms.base_url, "api_key": sms.api_key, "sender_id": "ACME",
           "allowed_hosts": "127.0.0.1", "timeout_seconds": 0.5, **extra}
    return dict(SmsSettingsSchema().load(raw))


def text(message_id: str = "msg-1", to: str = "+8613800138000") -> OutgoingMessage:
    return OutgoingMessage(message_id=message_id, channel="sms", to=to,
                           body="王伟你好，上次聊到的弹性工作制已经落地了。")


def test_send_posts_the_message_with_key_and_reference(sms: SmsStandIn,
                                                       tenant: TenantInfo) -> None:
    result = saas_channel_send(tenant, text(), settings_for(sms))
    assert result.status == "sent"
    assert result.provider_message_id == sms.deliveries[0].id
    (call,) = sms.calls("/v1/messages")
    assert call.headers["x-api-key"] == "sms-key-123"
    assert call.json() == {"to": "+8613800138000", "from": "ACME", "client_reference": "msg-1",
                           "text": "王伟你好，上次聊到的弹性工作制已经落地了。"}


def test_a_local_number_is_sent_in_e164(sms: SmsStandIn, tenant: TenantInfo) -> None:
    assert saas_channel_send(tenant, text(to="138 0013 8000"), settings_for(sms)).status == "sent"
    assert sms.deliveries[0].to == "+8613800138000"


def test_same_message_id_twice_delivers_once(sms: SmsStandIn, tenant: TenantInfo) -> None:
    first = saas_channel_send(tenant, text(), settings_for(sms))
    again = saas_channel_send(tenant, text(), settings_for(sms))
    assert first.provider_message_id == again.provider_message_id
    assert again.status == "sent"
    assert len(sms.deliveries) == 1


def test_429_is_a_retry_after_and_holds_further_sends(sms: SmsStandIn,
                                                      tenant: TenantInfo) -> None:
    sms.fail_next(1, 429, retry_after=1)
    limited = saas_channel_send(tenant, text(), settings_for(sms))
    assert (limited.status, limited.retry_after) == ("retry", 1.0)
    held = saas_channel_send(tenant, text("msg-2"), settings_for(sms))
    assert held.status == "retry" and 0 < (held.retry_after or 0) <= 1
    assert len(sms.calls("/v1/messages")) == 1  # the provider was left alone
    time.sleep(1.05)
    assert saas_channel_send(tenant, text("msg-2"), settings_for(sms)).status == "sent"


def test_500_is_a_retry_and_the_retry_delivers_once(sms: SmsStandIn, tenant: TenantInfo) -> None:
    sms.fail_next(1, 503)
    assert saas_channel_send(tenant, text(), settings_for(sms)).status == "retry"
    assert saas_channel_send(tenant, text(), settings_for(sms)).status == "sent"
    assert len(sms.deliveries) == 1


def test_time_out_is_a_retry_and_the_late_delivery_is_not_repeated(
        sms: SmsStandIn, tenant: TenantInfo) -> None:
    sms.time_out_next(1, seconds=1.0)
    slow = saas_channel_send(tenant, text(), settings_for(sms))
    assert slow.status == "retry" and "timeout" in slow.detail
    time.sleep(1.0)  # the provider finishes the first call after we gave up
    retried = saas_channel_send(tenant, text(), settings_for(sms))
    assert retried.status == "sent"
    assert len(sms.deliveries) == 1


def test_invalid_number_is_failed(sms: SmsStandIn, tenant: TenantInfo) -> None:
    refused = saas_channel_send(tenant, text(to="+999"), settings_for(sms))
    assert refused.status == "failed"
    assert sms.calls("/v1/messages") == []  # not worth asking the provider
    sms.fail_next(1, 422, payload={"error": {"code": "invalid_number"}})
    assert saas_channel_send(tenant, text(), settings_for(sms)).status == "failed"


def test_bad_key_waits_rather_than_fails(sms: SmsStandIn, tenant: TenantInfo) -> None:
    result = saas_channel_send(tenant, text(), settings_for(sms, api_key="wrong"))
    assert result.status == "retry" and result.retry_after == 300
    assert "credentials" in result.detail


def test_internal_address_needs_the_allowlist(sms: SmsStandIn, tenant: TenantInfo) -> None:
    result = saas_channel_send(tenant, text(), settings_for(sms, allowed_hosts=None))
    assert result.status == "failed" and "internal" in result.detail
    assert sms.requests == []


def test_health_check(sms: SmsStandIn, tenant: TenantInfo) -> None:
    ok = saas_plugin_health_check(tenant, settings_for(sms))
    assert ok.ok and ok.checks == {"reachable": True, "authenticated": True}
    bad = saas_plugin_health_check(tenant, settings_for(sms, api_key="wrong"))
    assert not bad.ok and bad.checks["authenticated"] is False
    settings = settings_for(sms)
    sms.stop()
    down = saas_plugin_health_check(tenant, settings)
    assert not down.ok and "cannot reach" in down.detail


def test_signed_delivery_report_and_reply_become_events(sms: SmsStandIn,
                                                        tenant: TenantInfo) -> None:
    sent = saas_channel_send(tenant, text(), settings_for(sms))
    headers, body = sms.delivery_report(str(sent.provider_message_id))
    (delivered,) = saas_channel_webhook(tenant, "sms", headers, body, settings_for(sms))
    assert delivered.kind == "delivery"
    assert delivered.provider_message_id == sent.provider_message_id
    assert delivered.provider_event_id == f"{sent.provider_message_id}:delivered"
    headers, body = sms.inbound("13800138000", "好的，下周聊")
    (reply,) = saas_channel_webhook(tenant, "sms", headers, body, settings_for(sms))
    assert (reply.kind, reply.sender, reply.text) == ("reply", "+8613800138000", "好的，下周聊")
    headers, body = sms.delivery_report(str(sent.provider_message_id), "undeliverable",
                                        error="absent subscriber")
    (bounce,) = saas_channel_webhook(tenant, "sms", headers, body, settings_for(sms))
    assert (bounce.kind, bounce.text) == ("bounce", "absent subscriber")
    headers, body = sms.delivery_report("sms-1", "sent")
    assert saas_channel_webhook(tenant, "sms", headers, body, settings_for(sms)) == []


def test_separate_signing_secret(sms: SmsStandIn, tenant: TenantInfo) -> None:
    settings = settings_for(sms, report_signing_secret="provider-signing")
    headers, body = sms.signed({"type": "inbound", "id": "in-9", "from": "+8613800138000",
                                "text": "hi"}, secret="provider-signing")
    assert saas_channel_webhook(tenant, "sms", headers, body, settings)[0].kind == "reply"
    headers, body = sms.inbound("+8613800138000", "signed with the api key")
    with pytest.raises(SignatureError):
        saas_channel_webhook(tenant, "sms", headers, body, settings)


@pytest.mark.parametrize("forge", ["body", "signature", "missing", "old"])
def test_forged_callbacks_are_refused(sms: SmsStandIn, tenant: TenantInfo, forge: str) -> None:
    headers, body = sms.inbound("+8613800138000", "stop")
    if forge == "body":
        body = body.replace(b"stop", b"STOP")
    elif forge == "signature":
        headers["X-Sms-Signature"] = "0" * 64
    elif forge == "missing":
        del headers["X-Sms-Signature"]
    else:
        headers, body = sms.signed({"type": "inbound", "id": "in-1", "from": "+8613800138000",
                                    "text": "x"}, timestamp=int(time.time()) - 3600)
    with pytest.raises(SignatureError):
        saas_channel_webhook(tenant, "sms", headers, body, settings_for(sms))


@pytest.mark.parametrize("payload", [[1, 2], {"type": "weird", "id": "x"},
                                     {"type": "inbound", "text": "no id or sender"},
                                     {"events": "nope"}])
def test_malformed_signed_callbacks_are_refused(sms: SmsStandIn, tenant: TenantInfo,
                                                payload: Any) -> None:
    headers, body = sms.signed(payload)
    with pytest.raises(ValueError, match="event"):
        saas_channel_webhook(tenant, "sms", headers, body, settings_for(sms))


def test_settings_refuse_bad_input() -> None:
    with pytest.raises(Exception) as caught:
        SmsSettingsSchema().load({"base_url": "ftp://x", "api_key": "", "allowed_hosts": "a b!",
                                  "webhook_secret": "short", "color": "red"})
    messages = caught.value.messages  # type: ignore[attr-defined]
    assert set(messages) == {"base_url", "api_key", "allowed_hosts", "webhook_secret", "color"}
