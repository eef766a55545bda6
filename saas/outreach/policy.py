"""The contact policy: checked before every send, manual, campaign or automation alike.

Rules, in the order they are checked (the first that blocks names the send's fate):

* ``erased`` / ``do_not_contact`` — the candidate's status forbids any contact.
* ``opted_out`` / ``no_consent`` — the candidate withdrew consent for the channel,
  or there is no consent (or legitimate interest) in force for it.
* ``hiring_in_progress`` — the candidate is ``interviewing`` or has an offer
  pending: the hiring team is talking to them, outreach stays out of the way.
* ``duplicate_content`` — the same rendered content (``content_hash``) went, or is
  about to go, to the same candidate within the last 30 days.
* ``frequency_cap`` — one budget across everything (manual, campaigns,
  automations): the tenant's ``policy.max_messages_per_30_days`` counting the
  candidate's messages queued, scheduled, sending, sent or delivered in 30 days.
* ``quiet_hours`` — not a block: inside ``policy.quiet_hours`` (e.g. ``21:00-09:00``,
  may cross midnight) in the candidate's own time zone (else the tenant's) the send
  is *scheduled* for the end of the quiet hours (``send_after``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.candidates.models import Candidate
from saas.outreach.facts import OutreachFacts
from saas.privacy.consent import contact_permission
from saas.tenancy.models import DEFAULT_POLICY, Tenant

BLOCKING_CODES = ("erased", "do_not_contact", "opted_out", "no_consent", "hiring_in_progress",
                  "duplicate_content", "frequency_cap", "over_limit")


@dataclass(frozen=True)
class PolicyDecision:
    """``allowed`` to send (now, or at ``send_after``); ``code`` names the rule that
    blocked or delayed it (``None`` when nothing did); ``explanation`` says it in words."""

    allowed: bool
    code: str | None
    send_after: dt.datetime | None
    explanation: str


def tenant_policy(tenant: Tenant) -> dict[str, object]:
    return {**DEFAULT_POLICY, **(tenant.policy or {})}


def candidate_zone(candidate: Candidate, tenant: Tenant) -> ZoneInfo:
    for name in (candidate.timezone, tenant.timezone, "UTC"):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def parse_quiet_hours(text: str | None) -> tuple[dt.time, dt.time] | None:
    """``"21:00-09:00"`` → (21:00, 09:00); empty or malformed → no quiet hours."""
    if not text or "-" not in text:
        return None
    start_text, _sep, end_text = text.partition("-")
    try:
        start = dt.time.fromisoformat(start_text.strip())
        end = dt.time.fromisoformat(end_text.strip())
    except ValueError:
        return None
    return None if start == end else (start, end)


def quiet_until(now: dt.datetime, quiet: tuple[dt.time, dt.time] | None,
                zone: ZoneInfo) -> dt.datetime | None:
    """When the quiet hours around ``now`` end (UTC), or ``None`` outside them."""
    if quiet is None:
        return None
    start, end = quiet
    local = now.astimezone(zone)
    moment = local.time().replace(tzinfo=None)
    if start < end:
        inside, day = start <= moment < end, local.date()
    else:  # crosses midnight: 21:00-09:00
        inside = moment >= start or moment < end
        day = local.date() + dt.timedelta(days=1) if moment >= start else local.date()
    if not inside:
        return None
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)


def contact_rules(candidate: Candidate, channel: str, *, now: dt.datetime,
                  facts: OutreachFacts | None = None) -> str | None:
    """The rules about the person (status, consent, hiring): the code that blocks, if any."""
    if candidate.status in ("erased", "do_not_contact"):
        return candidate.status
    facts = facts or OutreachFacts.load([candidate], now, writing=False)
    permission = contact_permission(candidate, channel, now,
                                    records=facts.consent.get(candidate.id, []))
    if not permission.allowed:
        return "opted_out" if permission.reason_code == "withdrawn" else (
            permission.reason_code if permission.reason_code in ("erased", "do_not_contact")
            else "no_consent")
    if candidate.status == "interviewing" or candidate.id in facts.hiring:
        return "hiring_in_progress"
    return None


def check_policy(
    candidate: Candidate,
    channel: str,
    *,
    content_hash: str,
    now: dt.datetime,
    exclude_message_id: uuid.UUID | None = None,
    facts: OutreachFacts | None = None,
) -> PolicyDecision:
    """Apply every rule (see the module docstring) to one prospective send; ``facts``:
    the batch's (see :mod:`saas.outreach.facts`), read here when not given."""
    facts = facts or OutreachFacts.load([candidate], now)
    tenant = facts.tenant
    policy = tenant_policy(tenant)
    code = contact_rules(candidate, channel, now=now, facts=facts)
    if code is not None:
        return PolicyDecision(False, code, None, policy_text(code))
    others = facts.counted(candidate.id, exclude_message_id)
    if any(m.content_hash == content_hash for m in others):
        return PolicyDecision(False, "duplicate_content", None, policy_text("duplicate_content"))
    cap = int(policy.get("max_messages_per_30_days") or 0)  # type: ignore[call-overload]
    count = len(others)
    if cap and count >= cap:
        return PolicyDecision(False, "frequency_cap", None,
                              policy_text("frequency_cap", count=count))
    zone = candidate_zone(candidate, tenant)
    until = quiet_until(now, parse_quiet_hours(str(policy.get("quiet_hours") or "")), zone)
    if until is not None:
        return PolicyDecision(True, "quiet_hours", until,
                              policy_text("quiet_hours", send_after=until, zone=zone))
    return PolicyDecision(True, None, None, policy_text(None))


POLICY_TEXTS = {
    None: _l("Allowed: no rule stands in the way."),
    "erased": _l("Blocked: the candidate was erased."),
    "do_not_contact": _l("Blocked: the candidate is marked do not contact."),
    "opted_out": _l("Blocked: the candidate opted out of this channel."),
    "no_consent": _l("Blocked: no consent is recorded for this channel."),
    "hiring_in_progress": _l("Blocked: the candidate is in a hiring process "
                             "(interviewing or an offer pending)."),
    "duplicate_content": _l("Blocked: the same message went to this candidate "
                            "in the last 30 days."),
    "frequency_cap": _l("Blocked: frequency cap — the candidate already has the most "
                        "messages allowed in 30 days."),
    "quiet_hours": _l("Quiet hours: scheduled for when they end."),
    "over_limit": _l("Refused: the message is longer than the channel allows."),
    "no_channel": _l("Refused: no channel can reach this candidate."),
    "channel_not_enabled": _l("Refused: that channel is not enabled for your workspace."),
    "no_address": _l("Refused: there is no address for the candidate on that channel."),
    "no_template": _l("Refused: the template has no version for that channel."),
}


def policy_text(code: str | None, *, count: int | None = None,
                send_after: dt.datetime | None = None, zone: ZoneInfo | None = None) -> str:
    """A policy code in words (for pages and API problems), in the reader's language."""
    if code == "frequency_cap" and count is not None:
        return str(_("Blocked: frequency cap — %(n)d messages in the last 30 days.", n=count))
    if code == "quiet_hours" and send_after is not None:
        local = send_after.astimezone(zone or dt.UTC)
        return str(_("Quiet hours: it will be sent at %(time)s (%(zone)s time).",
                     time=local.strftime("%Y-%m-%d %H:%M"), zone=str(zone or "UTC")))
    if code is not None and code.endswith("_too_long"):
        code = "over_limit"
    if code is not None and code not in POLICY_TEXTS:
        return str(_("Refused: the message cannot be written for this candidate (%(code)s).",
                     code=code))
    return str(POLICY_TEXTS[code])
