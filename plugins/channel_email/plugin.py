"""Hook implementations of the e-mail channel."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from typing import Any

from plugins.channel_email.settings import EmailSettingsSchema
from saas.hooks import HealthReport, PluginManifest, hookimpl
from saas.tenancy.models import TenantInfo

NAME = "channel_email"


@hookimpl
def saas_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        name=NAME,
        title="E-mail (SMTP)",
        kind="channel",
        version="1.0",
        description="Sends e-mail through the tenant's SMTP server.",
        settings_schema=EmailSettingsSchema,
    )


def open_smtp(settings: Mapping[str, Any]) -> smtplib.SMTP:
    """Connect and authenticate as the settings say; the caller closes it."""
    host, port = settings["host"], int(settings.get("port") or 587)
    timeout = float(settings.get("timeout_seconds") or 10)
    security = settings.get("security") or "starttls"
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if security == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    smtp.ehlo()
    if security == "starttls":
        smtp.starttls(context=context)
        smtp.ehlo()
    if settings.get("username"):
        smtp.login(settings["username"], settings.get("password") or "")
    return smtp


@hookimpl
def saas_plugin_health_check(tenant: TenantInfo, settings: Mapping[str, Any]) -> HealthReport:
    try:
        smtp = open_smtp(settings)
    except (OSError, smtplib.SMTPException) as exc:
        return HealthReport(ok=False, detail=f"cannot reach SMTP server: {exc}")
    try:
        code, _ = smtp.noop()
    finally:
        smtp.quit()
    return HealthReport(ok=code == 250, detail=f"SMTP answered {code}", checks={"noop": True})
