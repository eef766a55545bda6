"""Every hook Rekindle calls, in one place.

Each hook is prefixed ``saas_``, typed and documented here, and has a section
in docs/hooks.md (a test fails when one is missing). Hooks take the tenant
explicitly as a :class:`~saas.tenancy.models.TenantInfo`. Unless a hook says
otherwise, every enabled plugin's implementation is called and the results are
collected in a list; hooks marked *optional* are contained: an implementation
that raises or runs past ``PLUGIN_HOOK_TIMEOUT`` is logged, recorded against
its plugin, and left out while the request or job goes on.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from saas.hooks.markers import hookspec
from saas.hooks.types import (
    ChannelEvent,
    HealthReport,
    InsightResult,
    OutgoingMessage,
    PluginManifest,
    SendResult,
)
from saas.tenancy.models import TenantInfo


@hookspec
def saas_plugin_manifest() -> PluginManifest:  # type: ignore[empty-body]
    """Describe the plugin: name, title, kind, version, settings schema, builtin.

    Called once per plugin at start-up. Required: a plugin without it is
    refused at load time.
    """


@hookspec
def saas_plugin_health_check(  # type: ignore[empty-body]
    tenant: TenantInfo, settings: Mapping[str, Any]
) -> HealthReport:
    """Check that the plugin works with this tenant's settings (reach the provider,
    authenticate). Called for one plugin at a time, from the plugin settings page
    and the API. Optional: a raise or a hang is reported as an unhealthy result.
    """


@hookspec
def saas_tenant_configured(tenant: TenantInfo, enabled_plugins: Sequence[str]) -> None:
    """Notification after a tenant was created or updated from a manifest or the
    staff console, with the names of the plugins now enabled for it. Optional and
    contained; the return value is ignored.
    """


@hookspec
def saas_extract_insights(
    tenant: TenantInfo, text: str, today: datetime.date, locale: str | None
) -> InsightResult | None:
    """Read a recruiter note: reason, values, preferred channel, follow-up date.

    Called once per new interaction with the note's text (summary and verbatim
    quote), ``today`` = the date the conversation happened in the candidate's
    (else the tenant's) time zone, and the candidate's locale (``zh-CN``,
    ``en`` or ``None``). Return an :class:`InsightResult`, or ``None`` to pass.
    Not ``firstresult``: every enabled plugin answers, and the answers are
    merged field by field — the highest confidence wins for reason, channel and
    follow-up date; values are united, each with its highest confidence. The
    built-in ``insights_rules`` plugin answers from the rule-based extractor; a
    vendor refines it by answering alongside, or replaces it when the tenant
    turns ``insights_rules`` off. Optional and contained: a raise or a hang
    leaves that plugin's answer out. Must not touch the database.
    """


@hookspec
def saas_channel_send(
    tenant: TenantInfo, message: OutgoingMessage, settings: Mapping[str, Any]
) -> SendResult | None:
    """Deliver one message on the plugin's channel with this tenant's settings.

    Called by the outbox's send job for exactly one plugin, ``channel_<code>``
    for the message's channel (``channel_email`` sends ``email``); others are
    not asked. Return :class:`SendResult`: ``sent`` with the provider's id,
    ``retry`` for a transient failure (HTTP 5xx or 429, a time-out; say
    ``retry_after`` when the provider does) or ``failed`` for a permanent one.
    Must be safe to call twice with the same ``message.message_id`` (pass it to
    the provider as its idempotency key where it has one). Optional and
    contained: a raise or a hang counts as ``retry``.
    """


@hookspec
def saas_channel_send_batch(
    tenant: TenantInfo, messages: Sequence[OutgoingMessage], settings: Mapping[str, Any]
) -> Sequence[SendResult] | None:
    """Deliver several messages on the plugin's channel in as few provider calls as it can.

    Optional, for providers with a batch API (most SMS gateways take hundreds of
    messages per request). Called instead of :func:`saas_channel_send` when the
    channel's plugin implements it, with up to ``OUTBOX_SEND_BATCH`` messages of one
    channel; return one :class:`SendResult` per message, in the same order (a
    shorter or longer answer counts as ``retry`` for every message). The same
    rules as the single send hold for each message: ``message_id`` is the
    idempotency key, ``retry`` for a transient failure, ``failed`` for a permanent
    one; a raise or a hang counts as ``retry`` for the whole batch.
    """


@hookspec
def saas_channel_webhook(
    tenant: TenantInfo, channel: str, headers: Mapping[str, str], body: bytes,
    settings: Mapping[str, Any],
) -> Sequence[ChannelEvent] | None:
    """Read a provider's callback (delivery receipts, replies) into events.

    Called for the one plugin ``channel_<channel>`` after Rekindle has checked
    the webhook's signature (HMAC-SHA256 over timestamp and body, 5-minute
    tolerance, replays refused); a plugin also checks its provider's own
    signature when the provider signs. Return the events in the body (possibly
    none). Optional and contained: a raise is a 400 to the caller, nothing stored.
    """
