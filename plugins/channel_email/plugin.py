"""Hook implementations of the e-mail channel."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _

from plugins.channel_email.inbound import read_inbound
from plugins.channel_email.sending import open_smtp, send_email
from plugins.channel_email.settings import EmailSettingsSchema
from saas.hooks import (
    ChannelEvent,
    HealthReport,
    OutgoingMessage,
    PluginManifest,
    SendResult,
    hookimpl,
)
from saas.tenancy.models import TenantInfo

NAME = "channel_email"


@hookimpl
def saas_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        name=NAME,
        title={"en": "E-mail (SMTP)", "zh-CN": "邮件（SMTP）"},
        kind="channel",
        version="1.1",
        description={
            "en": "Sends e-mail through the tenant's SMTP server and reads replies and "
                  "bounces from an inbound-mail relay.",
            "zh-CN": "通过企业自己的 SMTP 服务器发送邮件，并从收信中转读取回复和退信。",
        },
        settings_schema=EmailSettingsSchema,
    )


@hookimpl
def saas_plugin_health_check(tenant: TenantInfo, settings: Mapping[str, Any]) -> HealthReport:
    try:
        smtp = open_smtp(settings)
    except (OSError, smtplib.SMTPException) as exc:
        return HealthReport(ok=False, detail=_("cannot reach the SMTP server: %(error)s",
                                               error=str(exc)))
    try:
        code, _message = smtp.noop()
    finally:
        smtp.quit()
    return HealthReport(ok=code == 250, detail=_("the SMTP server answered %(code)s", code=code),
                        checks={"noop": True})


@hookimpl
def saas_channel_send(
    tenant: TenantInfo, message: OutgoingMessage, settings: Mapping[str, Any]
) -> SendResult:
    return send_email(message, settings)


@hookimpl
def saas_channel_webhook(
    tenant: TenantInfo, channel: str, headers: Mapping[str, str], body: bytes,
    settings: Mapping[str, Any],
) -> Sequence[ChannelEvent]:
    return read_inbound(headers, body)
