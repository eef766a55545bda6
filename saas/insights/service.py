"""Apply what the note extractors read to the candidate (inferred tags, channel, follow-up).

Called by the timeline after each new interaction, inside the same transaction.
Every plugin enabled for the tenant answers the ``saas_extract_insights`` hook;
the answers are merged (highest confidence wins a field; values are united) and
applied under one rule: **manual always beats inferred**.

* reason — one primary reason: no inferred reason when a manual one exists; a new
  inferred reason replaces the previous inferred one;
* values — a value tagged by hand stays manual; inferred values accumulate;
* channel — an inferred channel tag and ``preferred_channel`` (source
  ``inferred``) unless the recruiter set the channel by hand;
* ``next_follow_up_on`` — the note's follow-up date.

A code a recruiter removed (``TagCorrection`` action ``remove``) is never re-added
from the same interaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.hooks.manager import HookOutcome, call_optional
from saas.hooks.types import InsightResult
from saas.tags.labels import is_system_code
from saas.tags.models import CandidateTag, TagCorrection
from saas.tenancy.models import Tenant

log = logging.getLogger(__name__)
HOOK = "saas_extract_insights"
INFERRED = "inferred"
# The extractor reads at most this much of a note (a 100 KB note is still read whole).
MAX_NOTE_CHARS = 200_000


@dataclass
class MergedInsight:
    """The enabled extractors' answers, one per field."""

    reason: str | None = None
    reason_confidence: float = 0.0
    values: dict[str, float] = field(default_factory=dict)
    channel: str | None = None
    channel_confidence: float = 0.0
    follow_up_on: dt.date | None = None
    follow_up_confidence: float = 0.0


def merge_insights(results: Iterable[InsightResult]) -> MergedInsight:
    """Merge extractor answers: the surest reason, channel and date; values united.

    Codes outside the taxonomy are dropped; ``unknown`` is not an inferred reason
    (it says the note points nowhere, so it must not displace an earlier one).
    """
    merged = MergedInsight()
    for result in results:
        if (
            result.reason
            and result.reason != "unknown"
            and is_system_code("reason", result.reason)
            and result.reason_confidence > merged.reason_confidence
        ):
            merged.reason, merged.reason_confidence = result.reason, result.reason_confidence
        for code, confidence in result.values.items():
            if is_system_code("value", code):
                merged.values[code] = max(confidence, merged.values.get(code, 0.0))
        if (
            result.channel
            and is_system_code("channel", result.channel)
            and result.channel_confidence > merged.channel_confidence
        ):
            merged.channel, merged.channel_confidence = result.channel, result.channel_confidence
        if result.follow_up_on and result.follow_up_confidence > merged.follow_up_confidence:
            merged.follow_up_on = result.follow_up_on
            merged.follow_up_confidence = result.follow_up_confidence
    return merged


def note_text(interaction: Interaction) -> str:
    """What the extractor reads: the summary and the verbatim quote."""
    parts = [interaction.summary or "", interaction.quote or ""]
    return "\n".join(part for part in parts if part.strip())[:MAX_NOTE_CHARS]


def note_day(candidate: Candidate, tenant: Tenant, interaction: Interaction) -> dt.date:
    """The interaction's date in the candidate's time zone, else the tenant's."""
    for name in (candidate.timezone, tenant.timezone):
        if name:
            try:
                return interaction.occurred_at.astimezone(zoneinfo.ZoneInfo(name)).date()
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return interaction.occurred_at.date()


def _answers(outcomes: Sequence[HookOutcome]) -> list[InsightResult]:
    answers = []
    for outcome in outcomes:
        if outcome.ok and isinstance(outcome.result, InsightResult):
            answers.append(outcome.result)
        elif outcome.ok and outcome.result is not None:
            log.warning("plugin %s answered %s with %r", outcome.plugin, HOOK, outcome.result)
    return answers


def apply_note_insights(
    candidate: Candidate, interaction: Interaction, *, actor_id: uuid.UUID | None
) -> None:
    """Read ``interaction``'s note and update ``candidate`` (see the module docstring).

    ``actor_id`` is who recorded the interaction; inferred tags are the
    extractor's, so it is not their author and is only logged.
    """
    text = note_text(interaction)
    if not text.strip():
        return
    db.session.flush()  # ids and tenant of a candidate/interaction added just now
    tenant = db.session.get(Tenant, candidate.tenant_id)
    if tenant is None:
        return
    outcomes = call_optional(
        HOOK,
        tenant.info(),
        text=text,
        today=note_day(candidate, tenant, interaction),
        locale=candidate.locale or tenant.locale,
    )
    merged = merge_insights(_answers(outcomes))
    _apply(candidate, interaction, merged)
    log.debug("insights applied to candidate %s (recorded by %s)", candidate.id, actor_id)


def _apply(candidate: Candidate, interaction: Interaction, merged: MergedInsight) -> None:
    tags = list(
        db.session.scalars(
            sa.select(CandidateTag).where(
                CandidateTag.candidate_id == candidate.id,
                CandidateTag.dimension.in_(("reason", "value", "channel")),
            )
        )
    )
    removed = set(
        db.session.execute(
            sa.select(TagCorrection.dimension, TagCorrection.inferred_code).where(
                TagCorrection.candidate_id == candidate.id,
                TagCorrection.interaction_id == interaction.id,
                TagCorrection.action == "remove",
            )
        ).all()
    )
    if merged.reason and ("reason", merged.reason) not in removed:
        _infer_single(candidate, interaction, tags, "reason", merged.reason,
                      merged.reason_confidence)
    for code, confidence in sorted(merged.values.items()):
        if ("value", code) not in removed:
            _infer_value(candidate, interaction, tags, code, confidence)
    channel_by_hand = candidate.preferred_channel_source == "manual" or any(
        tag.dimension == "channel" and tag.source != INFERRED for tag in tags
    )
    if merged.channel and not channel_by_hand and ("channel", merged.channel) not in removed:
        _infer_single(candidate, interaction, tags, "channel", merged.channel,
                      merged.channel_confidence)
        candidate.preferred_channel = merged.channel
        candidate.preferred_channel_source = INFERRED
    if merged.follow_up_on:
        candidate.next_follow_up_on = merged.follow_up_on
    db.session.flush()


def _infer_single(
    candidate: Candidate,
    interaction: Interaction,
    tags: list[CandidateTag],
    dimension: str,
    code: str,
    confidence: float,
) -> None:
    """One tag per dimension: skip when set by hand, else replace the inferred one."""
    current = [tag for tag in tags if tag.dimension == dimension]
    if any(tag.source != INFERRED for tag in current):
        return
    for tag in current:
        if tag.code != code:
            db.session.delete(tag)
    db.session.flush()
    same = next((tag for tag in current if tag.code == code), None)
    _upsert(candidate, interaction, same, dimension, code, confidence)


def _infer_value(
    candidate: Candidate,
    interaction: Interaction,
    tags: list[CandidateTag],
    code: str,
    confidence: float,
) -> None:
    same = next((tag for tag in tags if tag.dimension == "value" and tag.code == code), None)
    if same is not None and same.source != INFERRED:
        return
    _upsert(candidate, interaction, same, "value", code, confidence)


def _upsert(
    candidate: Candidate,
    interaction: Interaction,
    existing: CandidateTag | None,
    dimension: str,
    code: str,
    confidence: float,
) -> None:
    if existing is None:
        db.session.add(
            CandidateTag(
                candidate_id=candidate.id,
                dimension=dimension,
                code=code,
                source=INFERRED,
                confidence=round(confidence, 3),
                interaction_id=interaction.id,
            )
        )
    else:
        existing.confidence = round(confidence, 3)
        existing.interaction_id = interaction.id
