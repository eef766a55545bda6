"""The queue's own reasons: follow-up due, contract ending, stalled offer, high match, silence.

Weights (a candidate's score is their sum, capped at 100):

=================  ======  ==============================================
code               points  applies when
=================  ======  ==============================================
follow_up_due      40      ``next_follow_up_on`` is today or earlier
stalled_offer      30      the candidate is ``stalled`` (their offer went unanswered)
contract_ending    30      ``contract_end_date`` is within the next 90 days
high_match         25      ``best_match_score`` >= 80
long_silence       15      no contact (or, never contacted, no record) for 180 days
=================  ======  ==============================================
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from flask_babel import gettext as _

from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.insights import follow_up_date
from saas.insights.service import note_day, note_text
from saas.offers.models import Offer
from saas.queue.reasons import QueueContext, QueueReason, add_queue_reason, points_when
from saas.tags.labels import code_label
from saas.tenancy.context import require_tenant_id
from saas.tenancy.models import Tenant

CONTRACT_HORIZON_DAYS = 90
HIGH_MATCH = 80
SILENCE_DAYS = 180
EXCERPT_CHARS = 40
INTERACTIONS_SEARCHED = 5


def _excerpt(text: str) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "…"


def _follow_up_source(
    candidate: Candidate, tenant: Tenant, interactions: Sequence[Interaction]
) -> tuple[Interaction, dt.date] | None:
    """The interaction whose words set the follow-up date (else the newest with words),
    and its date as the extractor counted it: in the candidate's time zone."""
    fallback = None
    for interaction in interactions[:INTERACTIONS_SEARCHED]:
        text = note_text(interaction)
        if not text:
            continue
        day = note_day(candidate, tenant, interaction)
        fallback = fallback or (interaction, day)
        if follow_up_date(text, today=day) == candidate.next_follow_up_on:
            return interaction, day
    return fallback


def _describe_follow_up(
    ctx: QueueContext, candidates: Sequence[Candidate]
) -> Mapping[uuid.UUID, str]:
    timelines: dict[uuid.UUID, list[Interaction]] = {c.id: [] for c in candidates}
    rows = db.session.scalars(
        sa.select(Interaction).where(Interaction.candidate_id.in_(timelines))
        .order_by(Interaction.occurred_at.desc())
    )
    for interaction in rows:
        timelines[interaction.candidate_id].append(interaction)
    tenant = db.session.get(Tenant, require_tenant_id())
    assert tenant is not None
    texts: dict[uuid.UUID, str] = {}
    for candidate in candidates:
        source = _follow_up_source(candidate, tenant, timelines[candidate.id])
        if source is None:
            texts[candidate.id] = _("Follow-up date reached: %(date)s",
                                    date=str(candidate.next_follow_up_on))
            continue
        interaction, day = source
        words = interaction.quote or interaction.summary or ""
        texts[candidate.id] = _('Follow-up date reached: said "%(quote)s" on %(date)s',
                                quote=_excerpt(words), date=day.isoformat())
    return texts


def _describe_contract(
    ctx: QueueContext, candidates: Sequence[Candidate]
) -> Mapping[uuid.UUID, str]:
    texts: dict[uuid.UUID, str] = {}
    for candidate in candidates:
        assert candidate.contract_end_date is not None
        days = (candidate.contract_end_date - ctx.today).days
        if days <= 0:
            texts[candidate.id] = _("Contract ends today")
        elif days == 1:
            texts[candidate.id] = _("Contract ends tomorrow")
        else:
            texts[candidate.id] = _("Contract ends in %(n)d days", n=days)
    return texts


def _describe_stalled_offer(
    ctx: QueueContext, candidates: Sequence[Candidate]
) -> Mapping[uuid.UUID, str]:
    latest: dict[uuid.UUID, str | None] = {}
    for candidate_id, reason in db.session.execute(
        sa.select(Offer.candidate_id, Offer.reason)
        .where(Offer.candidate_id.in_([c.id for c in candidates]), Offer.status == "stalled")
        .order_by(Offer.stalled_at.desc(), Offer.id.desc())
    ):
        latest.setdefault(candidate_id, reason)
    texts: dict[uuid.UUID, str] = {}
    for candidate in candidates:
        reason = latest.get(candidate.id) or "unknown"
        texts[candidate.id] = _("Stalled offer: %(reason)s", reason=code_label("reason", reason))
    return texts


def _describe_match(
    ctx: QueueContext, candidates: Sequence[Candidate]
) -> Mapping[uuid.UUID, str]:
    return {c.id: _("High match for an open opening (%(score)d/100)",
                    score=c.best_match_score or 0) for c in candidates}


def _last_heard(candidate: Candidate) -> dt.datetime:
    return candidate.last_contact_at or candidate.created_at


def _describe_silence(
    ctx: QueueContext, candidates: Sequence[Candidate]
) -> Mapping[uuid.UUID, str]:
    texts: dict[uuid.UUID, str] = {}
    for candidate in candidates:
        months = max((ctx.now - _last_heard(candidate)).days // 30, 1)
        if candidate.last_contact_at is None:
            texts[candidate.id] = _("No conversation recorded in %(n)d months", n=months)
        else:
            texts[candidate.id] = _("Not contacted for %(n)d months", n=months)
    return texts


def _silence_cutoff(ctx: QueueContext) -> dt.datetime:
    return ctx.now - dt.timedelta(days=SILENCE_DAYS)


def register_builtin_reasons() -> None:
    add_queue_reason(QueueReason(
        "follow_up_due",
        lambda ctx: points_when(Candidate.next_follow_up_on <= ctx.today, 40),
        _describe_follow_up,
    ))
    add_queue_reason(QueueReason(
        "stalled_offer",
        # The sweep makes a candidate ``stalled`` with their offer: the status says it
        # without a subquery per candidate; the words name the offer's reason.
        lambda ctx: points_when(Candidate.status == "stalled", 30),
        _describe_stalled_offer,
    ))
    add_queue_reason(QueueReason(
        "contract_ending",
        lambda ctx: points_when(
            Candidate.contract_end_date.between(
                ctx.today, ctx.today + dt.timedelta(days=CONTRACT_HORIZON_DAYS)), 30),
        _describe_contract,
    ))
    add_queue_reason(QueueReason(
        "high_match",
        lambda ctx: points_when(Candidate.best_match_score >= HIGH_MATCH, 25),
        _describe_match,
    ))
    add_queue_reason(QueueReason(
        "long_silence",
        lambda ctx: points_when(
            sa.func.coalesce(Candidate.last_contact_at, Candidate.created_at)
            < _silence_cutoff(ctx), 15),
        _describe_silence,
    ))


register_builtin_reasons()
