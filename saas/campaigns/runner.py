"""The step runner: advance a running campaign's due enrollments, a batch at a time.

For each ``active`` enrollment whose ``next_step_at`` has come, the step's message goes
through the outbox (:func:`saas.outreach.outbox.queue_messages`: render, route, policy,
one row each; the facts about the whole batch are read once) with the idempotency key
``campaign:<campaign>:<candidate>:<step>``, so a re-run — a retried job, a second worker
— finds the message already written and never sends twice. The enrollment then moves to
its next step (due after that step's delay) or ``finished``. A send the policy blocks is
written ``blocked`` by the outbox; a candidate no channel can reach
(:class:`OutreachRefused`) gets no row and the code is counted in one
``campaign.refused`` audit event per batch. Neither stops the runner.

Two workers at once: each batch is claimed with ``SELECT … FOR UPDATE SKIP LOCKED``
on PostgreSQL (SQLite has one writer anyway), so workers take different enrollments.
Each batch commits once and its queued messages are sent by one job per batch.
Enrollments that replied (``replied``), held out or finished are never touched; a
paused campaign is not advanced.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from saas import audit
from saas.campaigns.models import Campaign, CampaignEnrollment, CampaignStep
from saas.campaigns.service import steps_of, template_named
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.ids import in_ids
from saas.outreach.models import OutboundMessage, Template
from saas.outreach.outbox import (
    IdempotencyConflict,
    MessageRequest,
    OutreachRefused,
    queue_messages,
)

BATCH = 1000


@dataclass
class BatchOutcome:
    """What one batch did: messages by state, refusals by code, ids to send."""

    advanced: int = 0
    states: Counter[str] = field(default_factory=Counter)
    refused: Counter[tuple[int, str]] = field(default_factory=Counter)
    to_send: list[uuid.UUID] = field(default_factory=list)
    scheduled: list[OutboundMessage] = field(default_factory=list)


def step_key(campaign_id: uuid.UUID, candidate_id: uuid.UUID, position: int) -> str:
    """The idempotency key of a campaign step's message to one candidate."""
    return f"campaign:{campaign_id}:{candidate_id}:{position}"


def _claim(campaign_id: uuid.UUID, now: dt.datetime, size: int) -> list[CampaignEnrollment]:
    stmt = sa.select(CampaignEnrollment).where(
        CampaignEnrollment.campaign_id == campaign_id, CampaignEnrollment.state == "active",
        CampaignEnrollment.next_step_at <= now,
    ).order_by(CampaignEnrollment.next_step_at).limit(size)
    if db.session.connection().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.session.scalars(stmt))


def _templates(steps: list[CampaignStep]) -> dict[int, Template | None]:
    return {s.position: template_named(s.template_name, s.channel) for s in steps}


def _move_on(batch: list[CampaignEnrollment], steps: list[CampaignStep],
             now: dt.datetime) -> None:
    """Each enrollment to its next step (due after that step's delay) or ``finished``:
    one UPDATE per step the batch was at."""
    at: dict[int, list[uuid.UUID]] = defaultdict(list)
    for enrollment in batch:
        at[enrollment.next_position].append(enrollment.id)
    for position, ids in sorted(at.items()):
        following = position + 1
        values: dict[str, object] = (
            {"state": "finished", "next_step_at": None} if following >= len(steps) else
            {"next_step_at": now + dt.timedelta(days=steps[following].delay_days)})
        db.session.execute(sa.update(CampaignEnrollment).where(
            in_ids(CampaignEnrollment.id, ids)).values(next_position=following, **values,
                                                   ).execution_options(synchronize_session=False))


def run_batch(campaign: Campaign, now: dt.datetime, size: int = BATCH) -> BatchOutcome:
    """Advance up to ``size`` due enrollments of ``campaign`` and commit; see the module."""
    outcome = BatchOutcome()
    if campaign.state != "running":
        return outcome
    steps = steps_of(campaign.id)
    templates = _templates(steps)
    batch = _claim(campaign.id, now, size)
    if not batch:
        db.session.rollback()
        return outcome
    candidates = {c.id: c for c in db.session.scalars(sa.select(Candidate).where(
        in_ids(Candidate.id, [e.candidate_id for e in batch])))}
    requests: list[MessageRequest] = []
    for enrollment in batch:
        position = enrollment.next_position
        template = templates.get(position)
        candidate = candidates.get(enrollment.candidate_id)
        if template is None or candidate is None:
            outcome.refused[position, "no_template" if candidate else "no_candidate"] += 1
        else:
            requests.append(MessageRequest(
                candidate, template, step_key(campaign.id, candidate.id, position),
                channel=steps[position].channel, step=position))
    outcome.advanced = len(batch)
    results = queue_messages(requests, sender=None, campaign_id=campaign.id, now=now,
                             actor_kind="system")
    _move_on(batch, steps, now)
    for request, result in zip(requests, results, strict=True):
        position = request.step or 0
        if isinstance(result, OutreachRefused):
            outcome.refused[position, result.code] += 1
        elif isinstance(result, IdempotencyConflict):
            outcome.refused[position, "idempotency_key_reused"] += 1
        else:
            outcome.states[result.state] += 1
            if result.state == "queued":
                outcome.to_send.append(result.id)
            elif result.state == "scheduled":
                outcome.scheduled.append(result)
    if outcome.refused:
        audit.record("campaign.refused", actor_kind="system", target_kind="campaign",
                     target_id=campaign.id, detail={"refused": [
                         [position, code, count]
                         for (position, code), count in sorted(outcome.refused.items())]})
    _finish_if_done(campaign)
    db.session.commit()
    return outcome


def _finish_if_done(campaign: Campaign) -> None:
    """A campaign with no active enrollment left is ``finished``."""
    left = db.session.scalar(sa.select(CampaignEnrollment.id).where(
        CampaignEnrollment.campaign_id == campaign.id, CampaignEnrollment.state == "active",
    ).limit(1))
    if left is None:
        campaign.state = "finished"
