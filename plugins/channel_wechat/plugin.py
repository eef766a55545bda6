"""Hook implementations of the WeCom (企业微信) channel.

Sending is WeCom's application-message API:
``POST {base_url}/cgi-bin/message/send?access_token=…`` with
``{"touser", "msgtype": "text", "agentid", "text": {"content"},
"enable_duplicate_check": 1, "duplicate_check_interval": 1800}`` answers
``{"errcode": 0, "msgid"}``. WeCom has no idempotency key; its duplicate check
drops the same content to the same user within 30 minutes, which covers a
retried send. Error codes: an expired or invalid token (40014, 42001, 40001) is
fetched again and the send retried once; 45009 (API rate limit), 45033
(too many concurrent calls) and -1 (system busy) are transient; an unknown user
(``invaliduser``, 81013, 60111) and everything else are permanent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _

from plugins import providers
from plugins.channel_wechat.callback import read_callback
from plugins.channel_wechat.settings import WeComSettingsSchema
from plugins.channel_wechat.token import (
    EXPIRED_TOKEN_ERRCODES,
    NAME,
    TokenError,
    fetch_token,
    tokens,
)
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

RATE_LIMIT_ERRCODES = frozenset({45009, 45033})
BUSY_ERRCODES = frozenset({-1})
MAX_CONTENT_BYTES = 2048  # WeCom's limit for a text message
DUPLICATE_CHECK_SECONDS = 1800
RATE_LIMIT_WAIT = 60.0


@hookimpl
def saas_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        name=NAME,
        title={"en": "WeChat (WeCom)", "zh-CN": "微信（企业微信）"},
        kind="channel",
        version="1.0",
        description={
            "en": "Sends WeCom application messages and reads replies from WeCom's "
                  "encrypted callback.",
            "zh-CN": "发送企业微信应用消息，并从企业微信的加密回调读取回复。",
        },
        settings_schema=WeComSettingsSchema,
    )


@hookimpl
def saas_plugin_health_check(tenant: TenantInfo, settings: Mapping[str, Any]) -> HealthReport:
    try:
        fetch_token(settings)
    except OutboundError as exc:
        return HealthReport(ok=False, detail=_("cannot reach WeCom: %(error)s", error=str(exc)))
    except TokenError as exc:
        return HealthReport(ok=False, detail=_("WeCom refused the credentials: %(error)s",
                                               error=str(exc)),
                            checks={"reachable": True, "token": False})
    tokens.drop(tenant.id, settings)  # the next send uses the credentials just checked
    return HealthReport(ok=True, detail=_("WeCom issued an access token"),
                        checks={"reachable": True, "token": True})


def _post(settings: Mapping[str, Any], token: str, payload: Mapping[str, Any]) -> Response:
    return providers.client(NAME, settings).post(
        providers.endpoint(settings, f"/cgi-bin/message/send?access_token={token}"),
        json=payload, timeout=providers.timeout_of(settings))


def _errcode(response: Response) -> tuple[int, Mapping[str, Any]]:
    try:
        answer = response.json()
        return int(answer.get("errcode", 0)), answer
    except (ValueError, AttributeError, TypeError):
        raise ValueError("WeCom answered something that is not JSON") from None


@hookimpl
def saas_channel_send(
    tenant: TenantInfo, message: OutgoingMessage, settings: Mapping[str, Any]
) -> SendResult:
    if len(message.body.encode()) > MAX_CONTENT_BYTES:
        return SendResult("failed", detail=f"longer than WeCom's {MAX_CONTENT_BYTES} bytes")
    wait = providers.waiting(NAME, tenant.id)
    if wait is not None:
        return wait
    payload = {"touser": message.to, "msgtype": "text", "agentid": int(settings["agent_id"]),
               "text": {"content": message.body}, "enable_duplicate_check": 1,
               "duplicate_check_interval": DUPLICATE_CHECK_SECONDS}
    try:
        for attempt in (1, 2):
            response = _post(settings, tokens.get(tenant.id, settings), payload)
            if response.status != 200:
                return providers.http_failure(NAME, tenant.id, response,
                                              providers.answer_text(response))
            errcode, answer = _errcode(response)
            if errcode in EXPIRED_TOKEN_ERRCODES and attempt == 1:
                tokens.drop(tenant.id, settings)
                continue
            return _result(tenant, errcode, answer)
    except OutboundError as exc:
        return providers.network_failure(exc)
    except TokenError as exc:
        if exc.response is not None:
            return providers.http_failure(NAME, tenant.id, exc.response, str(exc))
        return SendResult("retry", retry_after=providers.CREDENTIALS_RETRY_AFTER,
                          detail=f"no access token: {exc}")
    except ValueError as exc:
        return SendResult("retry", detail=str(exc))
    return SendResult("retry", detail="WeCom refused a freshly fetched token")


def _result(tenant: TenantInfo, errcode: int, answer: Mapping[str, Any]) -> SendResult:
    errmsg = str(answer.get("errmsg", ""))[:200]
    if errcode in RATE_LIMIT_ERRCODES:
        return providers.rate_limited(NAME, tenant.id, RATE_LIMIT_WAIT, f"{errcode} {errmsg}")
    if errcode in BUSY_ERRCODES:
        return SendResult("retry", detail=f"WeCom busy: {errcode} {errmsg}")
    if errcode != 0:
        return SendResult("failed", detail=f"WeCom refused: {errcode} {errmsg}")
    if answer.get("invaliduser"):
        return SendResult("failed", detail="WeCom does not know this user")
    return SendResult("sent", provider_message_id=str(answer.get("msgid") or "") or None)


@hookimpl
def saas_channel_webhook(
    tenant: TenantInfo, channel: str, headers: Mapping[str, str], body: bytes,
    settings: Mapping[str, Any],
) -> Sequence[ChannelEvent]:
    return read_callback(headers, body, settings)
