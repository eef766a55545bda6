"""Channel routing: which channel a message to a candidate goes by, and why.

A channel is *usable* for a candidate when three things hold: the candidate may
be contacted on it (consent, see :mod:`saas.privacy.consent`), the channel's
plugin (``channel_<code>``) is enabled for the tenant, and the candidate has an
address for it (email for ``email``, a phone for ``sms``/``phone``, a WeChat id
for ``wechat``, a LinkedIn URL for ``linkedin``). The candidate's preferred
channel wins when usable; otherwise the first usable channel of the tenant's
``policy.channel_order``. A channel the sender asks for is used only when usable.

The decision is stored on the outbound message as a JSON document (``routing``)
and put into words by :func:`explain` in the reader's language when shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from saas.candidates.models import CHANNELS, Candidate
from saas.extensions import db
from saas.outreach.facts import OutreachFacts
from saas.privacy.consent import ChannelStatus, channel_statuses
from saas.tags.labels import code_label
from saas.tenancy.context import require_tenant_id
from saas.tenancy.models import DEFAULT_POLICY, Tenant
from saas.timeutil import utcnow

RULES = ("preferred", "channel_order", "requested", "none")
# Why a channel was passed over, in the order the checks run.
SKIP_REASONS = ("no_consent", "opted_out", "not_enabled", "no_address", "no_template")


@dataclass(frozen=True)
class RoutingDecision:
    """The channel chosen (``None``: nothing usable) and the rule that chose it."""

    channel: str | None
    rule: str
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def explanation(self) -> str:
        """The decision in words, in the reader's language (written when asked: a
        campaign step routes thousands of messages and shows none of the words)."""
        return explain(self.record)


def current_tenant_row() -> Tenant:
    tenant = db.session.get(Tenant, require_tenant_id())
    if tenant is None:
        raise LookupError("the current tenant does not exist")
    return tenant


def channel_order(tenant: Tenant) -> list[str]:
    order = (tenant.policy or {}).get("channel_order") or DEFAULT_POLICY["channel_order"]
    return [c for c in order if c in CHANNELS]


def address_for(candidate: Candidate, channel: str) -> str | None:
    """The candidate's address on ``channel`` (the first email or phone), or ``None``."""
    if channel == "email":
        return next(iter(candidate.emails or []), None)
    if channel in ("sms", "phone"):
        return next(iter(candidate.phones or []), None)
    if channel == "wechat":
        return candidate.wechat_id or None
    if channel == "linkedin":
        return candidate.linkedin_url or None
    return None


def _skip_reason(candidate: Candidate, channel: str, status: ChannelStatus,
                 enabled: set[str], available: Collection[str] | None) -> str | None:
    if not status.permission.allowed:
        return "opted_out" if status.state == "withdrawn" else "no_consent"
    if f"channel_{channel}" not in enabled:
        return "not_enabled"
    if not address_for(candidate, channel):
        return "no_address"
    if available is not None and channel not in available:
        return "no_template"
    return None


def _consented_on(status: ChannelStatus) -> str | None:
    record = status.record
    if record is None or record.withdrawn:
        return None
    given: dt.datetime = record.given_at
    return given.date().isoformat()


def choose_channel(
    candidate: Candidate,
    *,
    requested: str | None = None,
    available: Collection[str] | None = None,
    now: dt.datetime | None = None,
    facts: OutreachFacts | None = None,
) -> RoutingDecision:
    """Route a message to ``candidate`` (see the module docstring).

    ``available`` limits the choice to channels the message can be written for
    (the channels its template has a version for); ``None`` means any. ``facts``:
    the batch's (see :mod:`saas.outreach.facts`), read here when not given.
    """
    moment = now or utcnow()
    facts = facts or OutreachFacts.load([candidate], moment, writing=False)
    statuses = {s.channel: s for s in channel_statuses(
        candidate, moment, records=facts.consent.get(candidate.id, []))}
    enabled = facts.enabled
    skipped: list[dict[str, str]] = []

    def usable(channel: str) -> bool:
        reason = _skip_reason(candidate, channel, statuses[channel], enabled, available)
        if reason is not None and channel not in {s["channel"] for s in skipped}:
            skipped.append({"channel": channel, "why": reason})
        return reason is None

    def decided(channel: str | None, rule: str) -> RoutingDecision:
        record: dict[str, Any] = {"rule": rule, "channel": channel, "skipped": skipped}
        if requested:
            record["requested"] = requested
        if channel is not None:
            record["consented_on"] = _consented_on(statuses[channel])
            record["basis"] = statuses[channel].permission.basis
        if rule == "preferred" or candidate.preferred_channel:
            record["preferred"] = candidate.preferred_channel
        return RoutingDecision(channel, rule, record)

    if requested is not None:
        if requested not in CHANNELS:
            raise ValueError(f"unknown channel {requested!r}")
        return decided(requested, "requested") if usable(requested) else decided(None, "none")
    preferred = candidate.preferred_channel
    if preferred in CHANNELS and usable(preferred):
        return decided(preferred, "preferred")
    for channel in channel_order(facts.tenant):
        if channel != preferred and usable(channel):
            return decided(channel, "channel_order")
    return decided(None, "none")


def _label(channel: str | None) -> str:
    return str(code_label("channel", channel)) if channel else "—"


def skip_text(skip: dict[str, str]) -> str:
    """One passed-over channel in words: "no consent for WeChat"."""
    channel = _label(skip.get("channel"))
    texts = {
        "no_consent": _("no consent for %(channel)s", channel=channel),
        "opted_out": _("the candidate opted out of %(channel)s", channel=channel),
        "not_enabled": _("%(channel)s is not enabled for your workspace", channel=channel),
        "no_address": _("no %(channel)s address on file", channel=channel),
        "no_template": _("the template has no %(channel)s version", channel=channel),
    }
    return str(texts.get(skip.get("why", ""), channel))


def _joined(parts: Sequence[str]) -> str:
    """Reasons in a row, with the reader's punctuation (；in Chinese)."""
    return str(_("; ")).join(parts)


def _because(channel: str | None, reasons: Sequence[str]) -> str:
    return str(_("%(channel)s: %(reasons)s", channel=_label(channel),
                 reasons=_joined(reasons)))


def explain(record: dict[str, Any]) -> str:
    """A stored routing decision in words, in the reader's language."""
    channel = record.get("channel")
    skipped: Sequence[dict[str, str]] = record.get("skipped") or []
    rule = record.get("rule")
    when = record.get("consented_on")
    if rule == "preferred":
        if when and record.get("basis") == "consent":
            reason = _("the candidate prefers it and agreed on %(day)s", day=when)
        else:
            reason = _("the candidate prefers it")
        return _because(channel, [str(reason)])
    if rule == "channel_order":
        return _because(channel, [*(skip_text(s) for s in skipped),
                                  str(_("next in your channel order"))])
    if rule == "requested":
        return _because(channel, [str(_("chosen by the sender"))])
    requested = record.get("requested")
    if requested:
        why = _joined([skip_text(s) for s in skipped if s["channel"] == requested])
        return str(_("%(channel)s cannot be used: %(why)s",
                     channel=_label(requested), why=why or "—"))
    why = _joined([skip_text(s) for s in skipped])
    return str(_("No channel can reach this candidate: %(why)s", why=why or "—"))
