"""The LinkedIn channel against the local messaging API stand-in."""

from __future__ import annotations

import json
from typing import Any

import pytest

from plugins.channel_linkedin import (
    saas_channel_send,
    saas_channel_webhook,
    saas_plugin_health_check,
)
from plugins.channel_linkedin.settings import LinkedInSettingsSchema
from plugins.providers import SignatureError
from saas.hooks import OutgoingMessage
from saas.tenancy.models import TenantInfo
from tests.plugins.standins import LinkedInStandIn

PROFILE = "https://www.linkedin.com/in/wang-wei"


def settings_for(li: LinkedInStandIn, **extra: Any) -> dict[str, Any]:
    raw = {"base_url": li.base_url, "access_token": li.token, "signing_secret": li.signing_secret,
           "allowed_hosts": "127.0.0.1", "timeout_seconds": 0.5, **extra}
    return dict(LinkedInSettingsSchema().load(raw))


def note(message_id: str = "msg-1", to: str = PROFILE) -> OutgoingMessage:
    return OutgoingMessage(message_id=message_id, channel="linkedin", to=to,
                           subject="A lead role", body="Hi Wei, last October you said…")


def test_send_uses_the_bearer_token_and_idempotency_key(linkedin: LinkedInStandIn,
                                                        tenant: TenantInfo) -> None:
    result = saas_channel_send(tenant, note(), settings_for(linkedin))
    assert result.status == "sent" and result.provider_message_id == "li-1"
    (call,) = linkedin.calls("/v2/messages")
    assert call.headers["authorization"] == "Bearer li-token"
    assert call.json() == {"recipient": PROFILE, "subject": "A lead role",
                           "body": "Hi Wei, last October you said…", "idempotencyKey": "msg-1"}


def test_same_message_id_twice_delivers_once(linkedin: LinkedInStandIn,
                                             tenant: TenantInfo) -> None:
    assert saas_channel_send(tenant, note(), settings_for(linkedin)).status == "sent"
    again = saas_channel_send(tenant, note(), settings_for(linkedin))
    assert (again.status, again.provider_message_id) == ("sent", "li-1")
    assert len(linkedin.deliveries) == 1


@pytest.mark.parametrize(("status", "outcome"), [(429, "retry"), (500, "retry"), (502, "retry"),
                                                 (422, "failed"), (404, "failed")])
def test_provider_errors(linkedin: LinkedInStandIn, tenant: TenantInfo, status: int,
                         outcome: str) -> None:
    linkedin.fail_next(1, status, retry_after=7 if status == 429 else None)
    result = saas_channel_send(tenant, note(), settings_for(linkedin))
    assert result.status == outcome
    if status == 429:
        assert result.retry_after == 7


def test_time_out_then_retry_delivers_once(linkedin: LinkedInStandIn,
                                           tenant: TenantInfo) -> None:
    linkedin.time_out_next(1, seconds=0.8)
    assert saas_channel_send(tenant, note(), settings_for(linkedin)).status == "retry"
    assert saas_channel_send(tenant, note(), settings_for(linkedin)).status == "sent"
    assert len(linkedin.deliveries) == 1


def test_recipient_it_cannot_message_is_failed(linkedin: LinkedInStandIn,
                                               tenant: TenantInfo) -> None:
    result = saas_channel_send(tenant, note(to="someone@else"), settings_for(linkedin))
    assert result.status == "failed" and "cannot be messaged" in result.detail


def test_health_check(linkedin: LinkedInStandIn, tenant: TenantInfo) -> None:
    assert saas_plugin_health_check(tenant, settings_for(linkedin)).ok
    bad = saas_plugin_health_check(tenant, settings_for(linkedin, access_token="expired"))
    assert not bad.ok and bad.checks == {"reachable": True, "authenticated": False}


def test_signed_reply_becomes_an_event(linkedin: LinkedInStandIn, tenant: TenantInfo) -> None:
    headers, body = linkedin.reply("li-1", "urn:li:person:wangwei", "Happy to talk next week")
    (event,) = saas_channel_webhook(tenant, "linkedin", headers, body, settings_for(linkedin))
    assert (event.kind, event.in_reply_to, event.sender, event.text) == (
        "reply", "li-1", "urn:li:person:wangwei", "Happy to talk next week")
    assert event.occurred_at is not None and event.occurred_at.tzinfo is not None


def test_forged_or_malformed_callbacks_are_refused(linkedin: LinkedInStandIn,
                                                   tenant: TenantInfo) -> None:
    headers, body = linkedin.reply("li-1", "urn:li:person:x", "hi")
    with pytest.raises(SignatureError):
        saas_channel_webhook(tenant, "linkedin", headers, body + b" ", settings_for(linkedin))
    headers, body = linkedin.signed([{"id": "e1", "type": "message.reply"}], secret="guess")
    with pytest.raises(SignatureError):
        saas_channel_webhook(tenant, "linkedin", headers, body, settings_for(linkedin))
    headers, body = linkedin.signed([{"id": "e1", "type": "profile.viewed"}])
    with pytest.raises(ValueError, match="unknown event type"):
        saas_channel_webhook(tenant, "linkedin", headers, body, settings_for(linkedin))
    headers, body = linkedin.signed_body(json.dumps({"nothing": []}).encode())
    with pytest.raises(ValueError, match="no events"):
        saas_channel_webhook(tenant, "linkedin", headers, body, settings_for(linkedin))
