"""Campaigns: create and check one, launch it over its segment, pause, resume, delete.

A campaign is a draft until launched. Launch enrolls every candidate its segment
selects at that moment, in batches: a deterministic share (``holdout_percent``)
becomes ``holdout`` — never contacted, kept to measure uplift — and the rest are
``active`` with their first step due ``now + step 0's delay``. The step runner
(:mod:`saas.campaigns.runner`) does the sending. A campaign over an empty segment
is not launched: :class:`CampaignProblem` ``empty_segment`` (the API answers 422).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from saas import audit
from saas.campaigns.models import Campaign, CampaignEnrollment, CampaignStep
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.ids import new_id
from saas.outreach.models import Template
from saas.segments.compiler import select_candidates
from saas.timeutil import utcnow

ENROLL_BATCH = 1000
MAX_STEPS = 10
MAX_HOLDOUT = 50
CHANNELS = ("email", "sms", "wechat", "linkedin", "phone")


class CampaignProblem(Exception):
    """A campaign that cannot be created or changed as asked: ``code``, ``field``, words."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class StepSpec:
    delay_days: int
    template_name: str
    channel: str | None = None


def in_holdout(campaign_id: uuid.UUID, candidate_id: uuid.UUID, percent: int) -> bool:
    """Whether the candidate is held out: a stable hash of both ids, mod 100."""
    digest = hashlib.sha256(f"{campaign_id}:{candidate_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < percent


def get_campaign(campaign_id: uuid.UUID) -> Campaign | None:
    return db.session.scalars(sa.select(Campaign).where(Campaign.id == campaign_id)).first()


def steps_of(campaign_id: uuid.UUID) -> list[CampaignStep]:
    return list(db.session.scalars(sa.select(CampaignStep).where(
        CampaignStep.campaign_id == campaign_id).order_by(CampaignStep.position)))


def template_named(name: str, channel: str | None = None) -> Template | None:
    """A version of the template family ``name`` (for ``channel`` when given)."""
    stmt = sa.select(Template).where(Template.name == name)
    if channel:
        stmt = stmt.where(Template.channel == channel)
    return db.session.scalars(stmt.order_by(Template.created_at)).first()


def segment_statement(campaign: Campaign, today: dt.date) -> sa.Select[Candidate]:
    """The campaign's segment (raises ``SegmentQueryError`` for a query that broke)."""
    return select_candidates(campaign.segment_query, today=today, user_id=campaign.created_by)


def check_steps(steps: Sequence[StepSpec]) -> None:
    """Raise :class:`CampaignProblem` for a step list that cannot run."""
    if not 1 <= len(steps) <= MAX_STEPS:
        raise CampaignProblem("steps_count", f"A campaign has 1 to {MAX_STEPS} steps.", "steps")
    for index, step in enumerate(steps):
        where = f"steps[{index}]"
        if step.delay_days < 0:
            raise CampaignProblem("delay_negative", "A delay cannot be negative.",
                                  f"{where}.delay_days")
        if step.channel is not None and step.channel not in CHANNELS:
            raise CampaignProblem("unknown_channel", f"Unknown channel {step.channel!r}.",
                                  f"{where}.channel")
        if template_named(step.template_name, step.channel) is None:
            what = f" for {step.channel}" if step.channel else ""
            raise CampaignProblem("unknown_template",
                                  f"No template named {step.template_name!r}{what}.",
                                  f"{where}.template_name")


def create_campaign(*, name: str, segment_query: str, holdout_percent: int,
                    steps: Sequence[StepSpec], created_by: uuid.UUID | None,
                    today: dt.date) -> Campaign:
    """Write a draft campaign and its steps (flushed, not committed).

    Raises ``SegmentQueryError`` (a query that does not compile, with its position)
    or :class:`CampaignProblem` (name taken, holdout out of bounds, bad steps).
    """
    if not 0 <= holdout_percent <= MAX_HOLDOUT:
        raise CampaignProblem("holdout_range", f"The holdout is 0 to {MAX_HOLDOUT} %.",
                              "holdout_percent")
    select_candidates(segment_query, today=today, user_id=created_by)
    check_steps(steps)
    if db.session.scalar(sa.select(sa.func.count()).select_from(Campaign).where(
            sa.func.lower(Campaign.name) == name.lower())):
        raise CampaignProblem("name_taken", "Another campaign already has this name.", "name")
    campaign = Campaign(id=new_id(), name=name, segment_query=segment_query,
                        holdout_percent=holdout_percent, state="draft", created_by=created_by,
                        created_at=utcnow())
    db.session.add(campaign)
    db.session.flush()
    for position, step in enumerate(steps):
        db.session.add(CampaignStep(id=new_id(), campaign_id=campaign.id, position=position,
                                    delay_days=step.delay_days,
                                    template_name=step.template_name, channel=step.channel))
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise CampaignProblem("name_taken", "Another campaign already has this name.",
                              "name") from exc
    audit.record("campaign.created", actor_kind="user" if created_by else "system",
                 actor_id=created_by, target_kind="campaign", target_id=campaign.id,
                 detail={"steps": len(steps), "holdout_percent": holdout_percent})
    return campaign


def launch(campaign: Campaign, *, now: dt.datetime, actor_id: uuid.UUID | None) -> dict[str, int]:
    """Enroll the segment (holdout first decided) and start the campaign; committed.

    Returns ``{"enrolled", "held_out"}``. Raises :class:`CampaignProblem`
    ``not_draft`` or ``empty_segment`` (nothing is written then).
    """
    if campaign.state != "draft":
        raise CampaignProblem("not_draft", "Only a draft campaign can be launched.")
    steps = steps_of(campaign.id)
    first_due = now + dt.timedelta(days=steps[0].delay_days)
    ids = segment_statement(campaign, now.date()).with_only_columns(
        Candidate.id, maintain_column_froms=True).where(
        Candidate.status.not_in(("erased",))).order_by(Candidate.id)
    enrolled = held_out = 0
    last: uuid.UUID | None = None
    while True:
        stmt = ids if last is None else ids.where(Candidate.id > last)
        batch = list(db.session.scalars(stmt.limit(ENROLL_BATCH)))
        if not batch:
            break
        rows: list[dict[str, Any]] = []
        for candidate_id in batch:
            holdout = in_holdout(campaign.id, candidate_id, campaign.holdout_percent)
            held_out += holdout
            rows.append({"id": new_id(), "tenant_id": campaign.tenant_id,
                         "campaign_id": campaign.id, "candidate_id": candidate_id,
                         "state": "holdout" if holdout else "active", "next_position": 0,
                         "next_step_at": None if holdout else first_due, "created_at": now})
        db.session.execute(sa.insert(CampaignEnrollment), rows)
        enrolled += len(batch)
        last = batch[-1]
    if enrolled == 0:
        db.session.rollback()
        raise CampaignProblem("empty_segment",
                              "The segment selects no candidates; nothing was launched.",
                              "segment_query")
    campaign.state, campaign.launched_at = "running", now
    audit.record("campaign.launched", actor_kind="user" if actor_id else "system",
                 actor_id=actor_id, target_kind="campaign", target_id=campaign.id,
                 detail={"enrolled": enrolled, "held_out": held_out})
    db.session.commit()
    return {"enrolled": enrolled, "held_out": held_out}


def pause(campaign: Campaign, *, now: dt.datetime, actor_id: uuid.UUID | None) -> None:
    if campaign.state != "running":
        raise CampaignProblem("not_running", "Only a running campaign can be paused.")
    campaign.state, campaign.paused_at = "paused", now
    audit.record("campaign.paused", actor_kind="user" if actor_id else "system",
                 actor_id=actor_id, target_kind="campaign", target_id=campaign.id)
    db.session.commit()


def resume(campaign: Campaign, *, actor_id: uuid.UUID | None) -> None:
    """Running again: steps that fell due while paused go out at the runner's next pass."""
    if campaign.state != "paused":
        raise CampaignProblem("not_paused", "Only a paused campaign can be resumed.")
    campaign.state, campaign.paused_at = "running", None
    audit.record("campaign.resumed", actor_kind="user" if actor_id else "system",
                 actor_id=actor_id, target_kind="campaign", target_id=campaign.id)
    db.session.commit()


def delete_draft(campaign: Campaign, *, actor_id: uuid.UUID | None) -> None:
    if campaign.state != "draft":
        raise CampaignProblem("not_draft", "Only a draft campaign can be deleted.")
    db.session.execute(sa.delete(CampaignStep).where(CampaignStep.campaign_id == campaign.id))
    audit.record("campaign.deleted", actor_kind="user" if actor_id else "system",
                 actor_id=actor_id, target_kind="campaign", target_id=campaign.id)
    db.session.delete(campaign)
    db.session.commit()
