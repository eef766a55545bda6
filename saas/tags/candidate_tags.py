"""A candidate's tags: add by hand, remove, accept or correct an inferred one.

Manual always beats inferred, and a reason or a channel is single: setting one by
hand replaces whatever the candidate had in that dimension. Accepting, correcting
or removing an *inferred* tag keeps a :class:`TagCorrection`, so the extractor's
accuracy can be measured (:func:`accuracy`). Every change is audited with codes
only (no personal data). Callers commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from saas import audit
from saas.audit.service import ActorKind
from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.tags.labels import SYSTEM_DIMENSIONS, is_system_code, tag_label
from saas.tags.models import CandidateTag, Tag, TagCorrection

MANUAL = "manual"
INFERRED = "inferred"
# Dimensions a person sets by hand (match is computed from openings).
EDITABLE_DIMENSIONS = ("reason", "value", "channel", "custom")
# Dimensions with one tag per candidate.
SINGLE_DIMENSIONS = ("reason", "channel")
CORRECTION_ACTIONS = ("accept", "correct", "remove")


class TagError(ValueError):
    """A tag change that cannot be made; ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str = "code", status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: uuid.UUID | None


def load_candidate(candidate_id: uuid.UUID) -> Candidate | None:
    """The current tenant's candidate (another tenant's is simply not found)."""
    return db.session.scalar(sa.select(Candidate).where(Candidate.id == candidate_id))


def load_tag(candidate: Candidate, tag_id: uuid.UUID) -> CandidateTag | None:
    return db.session.scalar(
        sa.select(CandidateTag).where(
            CandidateTag.id == tag_id, CandidateTag.candidate_id == candidate.id
        )
    )


def tags_of(candidate_id: uuid.UUID, locale: str | None = None) -> list[dict[str, Any]]:
    """The candidate's tags as the API shows them, with labels and the note's date.

    Ordered by dimension (reason, value, channel, match, custom), then code.
    """
    rows = db.session.execute(
        sa.select(CandidateTag, Interaction.occurred_at)
        .outerjoin(Interaction, Interaction.id == CandidateTag.interaction_id)
        .where(CandidateTag.candidate_id == candidate_id)
    ).all()
    custom = dict(db.session.execute(sa.select(Tag.code, Tag.label)).all())
    order = {name: index for index, name in enumerate((*SYSTEM_DIMENSIONS, "custom"))}
    items = [
        {
            "id": tag.id,
            "dimension": tag.dimension,
            "code": tag.code,
            "label": tag_label(tag.dimension, tag.code, locale, custom_labels=custom),
            "source": tag.source,
            "confidence": tag.confidence,
            "interaction_id": tag.interaction_id,
            "inferred_from": occurred_at,
            "created_at": tag.created_at,
        }
        for tag, occurred_at in rows
    ]
    items.sort(key=lambda item: (order.get(str(item["dimension"]), 99), str(item["code"])))
    return items


def check_code(dimension: str, code: str) -> None:
    if dimension == "custom":
        if db.session.scalar(sa.select(Tag.id).where(Tag.code == code)) is None:
            raise TagError(_("There is no custom tag “%(code)s”.", code=code), field="tag")
    elif dimension not in EDITABLE_DIMENSIONS:
        raise TagError(_("“%(dimension)s” is not a dimension you can tag by hand.",
                         dimension=dimension), field="dimension")
    elif not is_system_code(dimension, code):
        raise TagError(_("“%(code)s” is not a %(dimension)s code.", code=code,
                         dimension=dimension))


def _audit(action: str, who: Actor, candidate: Candidate, tag: CandidateTag,
           **detail: Any) -> None:
    audit.record(
        action, actor_kind=who.kind, actor_id=who.id, target_kind="candidate",
        target_id=candidate.id,
        detail={"dimension": tag.dimension, "code": tag.code, **detail},
    )


def _correction(tag: CandidateTag, who: Actor, action: str, correct: str | None) -> None:
    db.session.add(
        TagCorrection(
            candidate_id=tag.candidate_id, interaction_id=tag.interaction_id,
            dimension=tag.dimension, action=action, inferred_code=tag.code,
            correct_code=correct, confidence=tag.confidence, created_by=who.id,
        )
    )


def _set_channel(candidate: Candidate, code: str | None, source: str | None) -> None:
    candidate.preferred_channel = code
    candidate.preferred_channel_source = source


def add_tag(candidate: Candidate, dimension: str, code: str, who: Actor) -> CandidateTag:
    """Tag the candidate by hand (idempotent); a reason or channel replaces the previous one.

    When the extractor had inferred something in that dimension, the manual tag
    is recorded as accepting (same code) or correcting (another code) it.
    """
    check_code(dimension, code)
    current = list(db.session.scalars(
        sa.select(CandidateTag).where(
            CandidateTag.candidate_id == candidate.id, CandidateTag.dimension == dimension
        )
    ))
    same = next((tag for tag in current if tag.code == code), None)
    if dimension in SINGLE_DIMENSIONS:
        for tag in current:
            if tag is same:
                continue
            if tag.source == INFERRED:
                _correction(tag, who, "correct", code)
            db.session.delete(tag)
    if same is not None and same.source == INFERRED:
        _correction(same, who, "accept", code)
        same.source, same.confidence, same.created_by = MANUAL, None, who.id
    elif same is None:
        same = CandidateTag(candidate_id=candidate.id, dimension=dimension, code=code,
                            source=MANUAL, created_by=who.id)
        db.session.add(same)
    if dimension == "channel":
        _set_channel(candidate, code, MANUAL)
    db.session.flush()
    _audit("candidate.tag_added", who, candidate, same)
    return same


def remove_tag(candidate: Candidate, tag: CandidateTag, who: Actor) -> None:
    """Remove a tag; removing an inferred one records that it was wrong."""
    if tag.source == INFERRED:
        _correction(tag, who, "remove", None)
    if tag.dimension == "channel" and candidate.preferred_channel == tag.code:
        _set_channel(candidate, None, None)
    _audit("candidate.tag_removed", who, candidate, tag, source=tag.source)
    db.session.delete(tag)
    db.session.flush()


def _require_inferred(tag: CandidateTag) -> None:
    if tag.source != INFERRED:
        raise TagError(_("Only an inferred tag can be accepted or corrected."), field="tag_id",
                       status=409)


def accept_tag(candidate: Candidate, tag: CandidateTag, who: Actor) -> CandidateTag:
    """The inferred tag was right: it becomes manual."""
    _require_inferred(tag)
    _correction(tag, who, "accept", tag.code)
    tag.source, tag.created_by = MANUAL, who.id
    if tag.dimension == "channel":
        _set_channel(candidate, tag.code, MANUAL)
    db.session.flush()
    _audit("candidate.tag_accepted", who, candidate, tag)
    return tag


def correct_tag(candidate: Candidate, tag: CandidateTag, code: str, who: Actor) -> CandidateTag:
    """The inferred tag had the wrong code: replace it (by hand) with ``code``."""
    _require_inferred(tag)
    if code == tag.code:
        return accept_tag(candidate, tag, who)
    check_code(tag.dimension, code)
    _correction(tag, who, "correct", code)
    dimension, inferred_code = tag.dimension, tag.code
    db.session.delete(tag)
    db.session.flush()
    fixed = db.session.scalar(
        sa.select(CandidateTag).where(
            CandidateTag.candidate_id == candidate.id,
            CandidateTag.dimension == dimension,
            CandidateTag.code == code,
        )
    )
    if fixed is None:
        fixed = CandidateTag(candidate_id=candidate.id, dimension=dimension, code=code)
        db.session.add(fixed)
    fixed.source, fixed.confidence, fixed.created_by = MANUAL, None, who.id
    if dimension == "channel":
        _set_channel(candidate, code, MANUAL)
    db.session.flush()
    _audit("candidate.tag_corrected", who, candidate, fixed, inferred_code=inferred_code)
    return fixed


def accuracy(since: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Per dimension: inferred tags accepted / corrected / removed, and the share right.

    ``share_right`` is accepted ÷ all judged (``None`` before any judgement).
    """
    stmt = sa.select(TagCorrection.dimension, TagCorrection.action, sa.func.count()).group_by(
        TagCorrection.dimension, TagCorrection.action
    )
    if since is not None:
        stmt = stmt.where(TagCorrection.created_at >= since)
    counts: dict[str, dict[str, int]] = {
        dim: dict.fromkeys(CORRECTION_ACTIONS, 0) for dim in ("reason", "value", "channel")
    }
    for dimension, action, count in db.session.execute(stmt).all():
        if action in CORRECTION_ACTIONS:
            counts.setdefault(dimension, dict.fromkeys(CORRECTION_ACTIONS, 0))[action] = count
    result = []
    for dimension, by_action in counts.items():
        judged = sum(by_action.values())
        result.append({
            "dimension": dimension,
            "accepted": by_action["accept"],
            "corrected": by_action["correct"],
            "removed": by_action["remove"],
            "judged": judged,
            "share_right": round(by_action["accept"] / judged, 4) if judged else None,
        })
    return result
