"""The WeCom channel against the local WeCom stand-in: tokens, sending, callbacks."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from marshmallow import ValidationError

from plugins.channel_wechat import (
    saas_channel_send,
    saas_channel_webhook,
    saas_plugin_health_check,
)
from plugins.channel_wechat.callback import verify_url
from plugins.channel_wechat.settings import WeComSettingsSchema
from plugins.providers import SignatureError
from saas.hooks import OutgoingMessage
from saas.tenancy.models import TenantInfo
from tests.plugins.standins import WeComStandIn


def settings_for(wecom: WeComStandIn, **extra: Any) -> dict[str, Any]:
    raw = {"base_url": wecom.base_url, "corp_id": wecom.corp_id,
           "corp_secret": wecom.corp_secret, "agent_id": wecom.agent_id,
           "callback_token": wecom.callback_token, "callback_aes_key": wecom.aes_key,
           "allowed_hosts": "127.0.0.1", "timeout_seconds": 0.5, **extra}
    return dict(WeComSettingsSchema().load(raw))


def message(message_id: str = "msg-1", body: str = "王伟你好，新的培训计划开放报名了。",
            to: str = "WangWei") -> OutgoingMessage:
    return OutgoingMessage(message_id=message_id, channel="wechat", to=to, body=body)


def test_send_fetches_a_token_and_posts_the_application_message(
        wecom: WeComStandIn, tenant: TenantInfo) -> None:
    result = saas_channel_send(tenant, message(), settings_for(wecom))
    assert (result.status, result.provider_message_id) == ("sent", "msg-2")
    (token_call,) = wecom.calls("/cgi-bin/gettoken")
    assert token_call.query == {"corpid": "ww-corp", "corpsecret": "wecom-secret"}
    (send,) = wecom.calls("/cgi-bin/message/send")
    assert send.query == {"access_token": "tok-1"}
    assert send.json() == {"touser": "WangWei", "msgtype": "text", "agentid": 1000002,
                           "text": {"content": "王伟你好，新的培训计划开放报名了。"},
                           "enable_duplicate_check": 1, "duplicate_check_interval": 1800}


def test_the_token_is_cached_per_tenant(wecom: WeComStandIn, tenant: TenantInfo) -> None:
    for n in range(3):
        assert saas_channel_send(tenant, message(body=f"第{n}条"),
                                 settings_for(wecom)).status == "sent"
    assert wecom.tokens_issued == 1
    other = TenantInfo(id=uuid.uuid4(), slug="b", name="B", locale="en", timezone="UTC",
                       plan="standard")
    saas_channel_send(other, message(body="other tenant"), settings_for(wecom))
    assert wecom.tokens_issued == 2


def test_an_expired_token_is_refreshed_and_the_send_retried_once(
        wecom: WeComStandIn, tenant: TenantInfo) -> None:
    assert saas_channel_send(tenant, message(body="一"), settings_for(wecom)).status == "sent"
    wecom.expire_tokens()
    result = saas_channel_send(tenant, message(body="二"), settings_for(wecom))
    assert result.status == "sent"
    assert wecom.tokens_issued == 2
    assert [d.text for d in wecom.deliveries] == ["一", "二"]


def test_a_token_near_its_expiry_is_fetched_again(tenant: TenantInfo) -> None:
    with WeComStandIn(expires_in=60) as wecom:  # less than the early-refresh margin
        saas_channel_send(tenant, message(body="一"), settings_for(wecom))
        saas_channel_send(tenant, message(body="二"), settings_for(wecom))
        assert wecom.tokens_issued == 2


def test_same_message_twice_delivers_once(wecom: WeComStandIn, tenant: TenantInfo) -> None:
    first = saas_channel_send(tenant, message(), settings_for(wecom))
    again = saas_channel_send(tenant, message(), settings_for(wecom))
    assert first.provider_message_id == again.provider_message_id
    assert len(wecom.deliveries) == 1


@pytest.mark.parametrize(("errcode", "outcome"), [(45009, "retry"), (-1, "retry"),
                                                  (45033, "retry"), (40008, "failed")])
def test_wecom_error_codes(wecom: WeComStandIn, tenant: TenantInfo, errcode: int,
                           outcome: str) -> None:
    wecom.fail_next(1, 200, payload={"errcode": errcode, "errmsg": "x"},
                    path="/cgi-bin/message/send")
    result = saas_channel_send(tenant, message(), settings_for(wecom))
    assert result.status == outcome
    if errcode == 45009:
        assert result.retry_after == 60
        assert saas_channel_send(tenant, message("m2"), settings_for(wecom)).status == "retry"
        assert len(wecom.calls("/cgi-bin/message/send")) == 1


def test_http_500_and_time_out_are_retries(wecom: WeComStandIn, tenant: TenantInfo) -> None:
    wecom.fail_next(1, 500, path="/cgi-bin/message/send")
    assert saas_channel_send(tenant, message(), settings_for(wecom)).status == "retry"
    wecom.time_out_next(1, seconds=0.8, path="/cgi-bin/message/send")
    assert saas_channel_send(tenant, message(), settings_for(wecom)).status == "retry"
    time.sleep(0.4)
    assert saas_channel_send(tenant, message(), settings_for(wecom)).status == "sent"
    assert len(wecom.deliveries) == 1  # WeCom's duplicate check caught the late one


def test_unknown_user_and_too_long_text_fail(wecom: WeComStandIn, tenant: TenantInfo) -> None:
    wecom.unknown_users.add("Nobody")
    assert saas_channel_send(tenant, message(to="Nobody"), settings_for(wecom)).status == "failed"
    long = saas_channel_send(tenant, message(body="字" * 700), settings_for(wecom))
    assert long.status == "failed" and "2048" in long.detail


def test_bad_credentials(wecom: WeComStandIn, tenant: TenantInfo) -> None:
    settings = settings_for(wecom, corp_secret="wrong")
    health = saas_plugin_health_check(tenant, settings)
    assert not health.ok and health.checks == {"reachable": True, "token": False}
    result = saas_channel_send(tenant, message(), settings)
    assert result.status == "retry" and "40001" in result.detail
    assert saas_plugin_health_check(tenant, settings_for(wecom)).ok


def test_callback_is_verified_and_decrypted(wecom: WeComStandIn, tenant: TenantInfo) -> None:
    headers, body = wecom.callback("WangWei", "好的，下个月联系我", msg_id="7001")
    (event,) = saas_channel_webhook(tenant, "wechat", headers, body, settings_for(wecom))
    assert (event.kind, event.provider_event_id, event.sender, event.text) == (
        "reply", "7001", "WangWei", "好的，下个月联系我")
    assert event.occurred_at is not None


def test_callback_parameters_in_separate_headers(wecom: WeComStandIn,
                                                 tenant: TenantInfo) -> None:
    headers, body = wecom.callback("WangWei", "hi")
    params = dict(p.split("=", 1) for p in headers.pop("X-Rekindle-Query").split("&"))
    headers.update({"X-Wecom-Msg-Signature": params["msg_signature"],
                    "X-Wecom-Timestamp": params["timestamp"], "X-Wecom-Nonce": params["nonce"]})
    (event,) = saas_channel_webhook(tenant, "wechat", headers, body, settings_for(wecom))
    assert event.text == "hi"


def test_non_text_messages_are_skipped(wecom: WeComStandIn, tenant: TenantInfo) -> None:
    headers, body = wecom.callback("WangWei", "", msg_type="image")
    assert saas_channel_webhook(tenant, "wechat", headers, body, settings_for(wecom)) == []


@pytest.mark.parametrize("forge", ["token", "corp", "tampered", "old", "dtd", "unsigned"])
def test_forged_callbacks_are_refused(wecom: WeComStandIn, tenant: TenantInfo,
                                      forge: str) -> None:
    kwargs: dict[str, Any] = {"token": "guess"} if forge == "token" else {}
    if forge == "corp":
        kwargs["corp_id"] = "someone-else"
    if forge == "old":
        kwargs["timestamp"] = int(time.time()) - 3600
    headers, body = wecom.callback("WangWei", "hi", **kwargs)
    if forge == "tampered":
        body = body.replace(b"<Encrypt><![CDATA[", b"<Encrypt><![CDATA[AAAA")
    if forge == "dtd":
        body = b'<!DOCTYPE x [<!ENTITY a "b">]>' + body
    if forge == "unsigned":
        headers = {"Content-Type": "text/xml"}
    with pytest.raises(ValueError):  # SignatureError is a ValueError
        saas_channel_webhook(tenant, "wechat", headers, body, settings_for(wecom))


def test_url_verification_echoes_the_decrypted_echostr(wecom: WeComStandIn) -> None:
    stamp, nonce = str(int(time.time())), "n0nce"
    echostr = wecom.encrypt(b"1234567890")
    params = {"msg_signature": wecom.sign(stamp, nonce, echostr), "timestamp": stamp,
              "nonce": nonce, "echostr": echostr}
    assert verify_url(settings_for(wecom), params) == "1234567890"
    with pytest.raises(SignatureError):
        verify_url(settings_for(wecom), {**params, "nonce": "other"})


def test_settings_refuse_a_bad_aes_key() -> None:
    with pytest.raises(ValidationError) as caught:
        WeComSettingsSchema().load({"base_url": "https://qyapi.example.com", "corp_id": "c",
                                    "corp_secret": "s", "agent_id": 0,
                                    "callback_aes_key": "too-short"})
    assert set(caught.value.messages) == {"agent_id", "callback_aes_key"}
