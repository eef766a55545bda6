"""What a campaign has done so far, and what it would do before launch (the preview).

Results compare the contacted group (every enrollment not held out) with the
holdout: the share of each that replied since launch (an inbound reply matched
to the candidate), and the difference in percentage points is the uplift.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from saas.audit.models import AuditEvent
from saas.campaigns.models import Campaign, CampaignEnrollment
from saas.campaigns.service import in_holdout, segment_statement, steps_of, template_named
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.outreach.models import InboundMessage, OutboundMessage
from saas.outreach.outbox import plan_message

SAMPLE = 10
# The policy is checked for this many candidates of the segment in the preview.
POLICY_SAMPLE = 100
MESSAGE_STATES = ("queued", "scheduled", "sent", "delivered", "failed", "blocked")


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _by_group(by_state: dict[str, int]) -> dict[str, int]:
    """Counts by enrollment state folded into ``holdout`` and ``contacted``."""
    held = int(by_state.get("holdout", 0))
    return {"holdout": held, "contacted": int(sum(by_state.values())) - held}


def campaign_results(campaign: Campaign) -> dict[str, Any]:
    """Enrollment counts, messages per step by state, replies and uplift."""
    states = dict(db.session.execute(sa.select(
        CampaignEnrollment.state, sa.func.count()).where(
        CampaignEnrollment.campaign_id == campaign.id).group_by(CampaignEnrollment.state)).all())
    held_out = int(states.get("holdout", 0))
    enrolled = int(sum(states.values()))
    contacted = enrolled - held_out
    per_step: dict[int, Counter[str]] = {s.position: Counter() for s in steps_of(campaign.id)}
    for position, state, count in db.session.execute(sa.select(
            OutboundMessage.campaign_step, OutboundMessage.state, sa.func.count()).where(
            OutboundMessage.campaign_id == campaign.id).group_by(
            OutboundMessage.campaign_step, OutboundMessage.state)):
        per_step.setdefault(int(position or 0), Counter())[state] += int(count)
    refused: dict[int, Counter[str]] = {}
    for (detail,) in db.session.execute(sa.select(AuditEvent.detail).where(
            AuditEvent.action == "campaign.refused", AuditEvent.target_kind == "campaign",
            AuditEvent.target_id == str(campaign.id))):
        for position, code, count in (detail or {}).get("refused", []):
            refused.setdefault(int(position), Counter())[str(code)] += int(count)
    replies = _by_group(dict(db.session.execute(sa.select(
        CampaignEnrollment.state, sa.func.count()).where(
        CampaignEnrollment.campaign_id == campaign.id,
        sa.exists().where(InboundMessage.candidate_id == CampaignEnrollment.candidate_id,
                          InboundMessage.kind == "reply",
                          InboundMessage.received_at >= (campaign.launched_at
                                                         or campaign.created_at)),
    ).group_by(CampaignEnrollment.state)).all())) if campaign.launched_at else {}
    reengaged = _by_group(dict(db.session.execute(sa.select(
        CampaignEnrollment.state, sa.func.count()).join(
        Candidate, Candidate.id == CampaignEnrollment.candidate_id).where(
        CampaignEnrollment.campaign_id == campaign.id, Candidate.status == "re_engaged",
    ).group_by(CampaignEnrollment.state)).all()))
    rate_contacted = _rate(int(replies.get("contacted", 0)), contacted)
    rate_holdout = _rate(int(replies.get("holdout", 0)), held_out)
    uplift = (round(rate_contacted - rate_holdout, 1)
              if rate_contacted is not None and rate_holdout is not None else None)
    steps = []
    for position in sorted(per_step):
        counts = per_step[position]
        blocked_codes = Counter(refused.get(position, Counter()))
        for code, count in db.session.execute(sa.select(
                OutboundMessage.policy_code, sa.func.count()).where(
                OutboundMessage.campaign_id == campaign.id,
                OutboundMessage.campaign_step == position,
                OutboundMessage.state == "blocked").group_by(OutboundMessage.policy_code)):
            blocked_codes[str(code or "blocked")] += int(count)
        steps.append({"position": position, **{s: int(counts.get(s, 0)) for s in MESSAGE_STATES},
                      "refused": int(sum(refused.get(position, Counter()).values())),
                      "blocked_by_code": dict(blocked_codes)})
    return {
        "enrolled": enrolled, "held_out": held_out, "contacted": contacted,
        "active": int(states.get("active", 0)), "finished": int(states.get("finished", 0)),
        "replied": int(states.get("replied", 0)),
        "replies": {"contacted": int(replies.get("contacted", 0)),
                    "holdout": int(replies.get("holdout", 0))},
        "reply_rate": {"contacted": rate_contacted, "holdout": rate_holdout},
        "uplift_points": uplift,
        "re_engaged": {"contacted": int(reengaged.get("contacted", 0)),
                       "holdout": int(reengaged.get("holdout", 0))},
        "steps": steps,
    }


@dataclass(frozen=True)
class PreviewRow:
    candidate_id: uuid.UUID
    name: str
    channel: str | None
    why: str
    state: str
    policy_code: str | None
    subject: str | None
    body: str | None


def campaign_preview(campaign: Campaign, *, now: dt.datetime, sender: Any,
                     sample: int = SAMPLE) -> dict[str, Any]:
    """Who would get what if launched now: counts and a sample; writes nothing.

    The policy is checked for the first :data:`POLICY_SAMPLE` candidates who would be
    contacted (``policy_checked``); ``blocked_by_code`` counts their blocks.
    """
    steps = steps_of(campaign.id)
    template = template_named(steps[0].template_name, steps[0].channel)
    stmt = segment_statement(campaign, now.date()).where(Candidate.status != "erased")
    ids = list(db.session.scalars(stmt.with_only_columns(
        Candidate.id, maintain_column_froms=True).order_by(Candidate.id)))
    contacted = [i for i in ids if not in_holdout(campaign.id, i, campaign.holdout_percent)]
    checked = contacted[:max(POLICY_SAMPLE, sample)]
    people = {c.id: c for c in db.session.scalars(
        sa.select(Candidate).where(Candidate.id.in_(checked)))} if checked else {}
    blocked: Counter[str] = Counter()
    rows: list[PreviewRow] = []
    for candidate_id in checked:
        candidate = people[candidate_id]
        assert template is not None  # steps are checked at creation
        plan = plan_message(candidate, template, sender=sender, channel=steps[0].channel,
                            now=now)
        if plan.state == "blocked":
            blocked[plan.policy.code or "blocked"] += 1
        if len(rows) < sample:
            rows.append(PreviewRow(candidate.id, candidate.name, plan.routing.channel,
                                   plan.routing.explanation, plan.state, plan.policy.code,
                                   plan.subject, plan.body))
    db.session.rollback()  # nothing of the preview is kept
    return {"segment_size": len(ids), "holdout": len(ids) - len(contacted),
            "would_contact": len(contacted), "policy_checked": len(checked),
            "blocked": int(sum(blocked.values())), "blocked_by_code": dict(blocked),
            "sample": rows}
