"""The timeline service: record a conversation, edit it (keeping history), answer questions.

A new interaction moves the candidate's ``last_contact_at`` and runs the note
insights (inferred tags, preferred channel, follow-up date) in the same
transaction. Only conversations count as contact: ``inbound`` and ``outbound``
interactions set ``last_contact_at``; a ``note`` (a recruiter's own remark) does
not, so "last talked N months ago" means a real exchange with the candidate.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from saas import audit
from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction, InteractionRevision
from saas.extensions import db
from saas.ids import new_id
from saas.insights.service import apply_note_insights
from saas.queue.decisions import lift_dismissal_of
from saas.timeutil import utcnow

CONVERSATION_DIRECTIONS = ("inbound", "outbound")
EDITABLE = ("occurred_at", "channel", "direction", "summary", "quote", "open_questions")


class InteractionInvalid(ValueError):
    """A change that does not fit the interaction as it is; ``errors`` by field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid interaction change")
        self.errors = errors


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def get_interaction(candidate: Candidate, interaction_id: uuid.UUID) -> Interaction | None:
    return db.session.scalars(sa.select(Interaction).where(
        Interaction.id == interaction_id, Interaction.candidate_id == candidate.id)).first()


def timeline_of(candidate_id: uuid.UUID) -> sa.Select[Interaction]:
    """The candidate's interactions, newest first."""
    return sa.select(Interaction).where(Interaction.candidate_id == candidate_id).order_by(
        Interaction.occurred_at.desc(), Interaction.id.desc())


def revisions_of(interaction: Interaction) -> list[InteractionRevision]:
    """Earlier versions of the interaction, the most recent first."""
    return list(db.session.scalars(sa.select(InteractionRevision).where(
        InteractionRevision.interaction_id == interaction.id,
    ).order_by(InteractionRevision.version.desc())))


def refresh_last_contact(candidate: Candidate) -> None:
    """``last_contact_at`` = the latest inbound or outbound interaction (None if none)."""
    latest = db.session.scalar(sa.select(sa.func.max(Interaction.occurred_at)).where(
        Interaction.candidate_id == candidate.id,
        Interaction.direction.in_(CONVERSATION_DIRECTIONS)))
    if latest is not None and latest.tzinfo is None:
        latest = latest.replace(tzinfo=dt.UTC)
    if latest != candidate.last_contact_at:
        candidate.last_contact_at = latest


def _questions(texts: list[str], before: list[dict[str, Any]] | None = None,
               ) -> list[dict[str, Any]]:
    """Open questions as stored; a question kept through an edit keeps its answer time."""
    answered = {q["text"]: q.get("answered_at") for q in before or []}
    return [{"text": t, "answered_at": answered.get(t)} for t in texts]


def add_interaction(
    candidate: Candidate,
    data: Mapping[str, Any],
    *,
    actor_kind: audit.service.ActorKind = "system",
    author_id: uuid.UUID | None = None,
) -> Interaction:
    """Record one interaction, then update the candidate from it (contact time, insights)."""
    interaction = Interaction(
        id=new_id(), candidate_id=candidate.id, author_id=author_id, version=1,
        occurred_at=data.get("occurred_at") or utcnow(), channel=data.get("channel"),
        direction=data["direction"],
    )
    interaction.summary = data["summary"]
    interaction.quote = data.get("quote") or None
    interaction.open_questions = _questions(list(data.get("open_questions") or []))
    db.session.add(interaction)
    db.session.flush()
    refresh_last_contact(candidate)
    lift_dismissal_of(candidate, interaction.occurred_at)
    apply_note_insights(candidate, interaction, actor_id=author_id)
    db.session.flush()
    audit.record("interaction.created", actor_kind=actor_kind, actor_id=author_id,
                 target_kind="interaction", target_id=interaction.id,
                 detail={"candidate_id": str(candidate.id), "direction": interaction.direction})
    return interaction


def snapshot(interaction: Interaction) -> dict[str, Any]:
    return {
        "occurred_at": _iso(interaction.occurred_at),
        "channel": interaction.channel,
        "direction": interaction.direction,
        "summary": interaction.summary,
        "quote": interaction.quote,
        "open_questions": interaction.open_questions or [],
    }


def edit_interaction(
    candidate: Candidate,
    interaction: Interaction,
    changes: Mapping[str, Any],
    *,
    actor_kind: audit.service.ActorKind = "system",
    editor_id: uuid.UUID | None = None,
) -> list[str]:
    """Change an interaction; the version before is kept as a revision.

    ``open_questions`` (texts) replaces the list; ``answered_questions`` (indexes
    into the resulting list) marks those answered now. Returns the changed fields
    (nothing is written when nothing changed).
    """
    before = snapshot(interaction)
    after = dict(before)
    for name in EDITABLE:
        if name in changes and name != "open_questions":
            value = changes[name]
            after[name] = _iso(value) if isinstance(value, dt.datetime) else value
    questions = (_questions(list(changes["open_questions"]), before["open_questions"])
                 if "open_questions" in changes else [dict(q) for q in before["open_questions"]])
    now = utcnow()
    wrong = [i for i in changes.get("answered_questions") or [] if not 0 <= i < len(questions)]
    if wrong:
        raise InteractionInvalid({"answered_questions": [
            _("There is no open question number %(index)d.", index=wrong[0])]})
    for index in changes.get("answered_questions") or []:
        if questions[index].get("answered_at") is None:
            questions[index]["answered_at"] = now.isoformat()
    after["open_questions"] = questions
    after["quote"] = after["quote"] or None
    changed = [name for name in EDITABLE if after[name] != before[name]]
    if not changed:
        return []
    revision = InteractionRevision(
        id=new_id(), interaction_id=interaction.id, candidate_id=candidate.id,
        version=interaction.version, edited_by=editor_id, edited_at=now)
    revision.snapshot = before
    db.session.add(revision)
    if "occurred_at" in changed:
        interaction.occurred_at = changes["occurred_at"]
    for name in ("channel", "direction"):
        if name in changed:
            setattr(interaction, name, after[name])
    if "summary" in changed:
        interaction.summary = after["summary"]
    if "quote" in changed:
        interaction.quote = after["quote"]
    if "open_questions" in changed:
        interaction.open_questions = questions
    interaction.version += 1
    interaction.edited_at = now
    db.session.flush()
    if {"occurred_at", "direction"} & set(changed):
        refresh_last_contact(candidate)
    if "occurred_at" in changed:
        lift_dismissal_of(candidate, interaction.occurred_at)
    audit.record("interaction.edited", actor_kind=actor_kind, actor_id=editor_id,
                 target_kind="interaction", target_id=interaction.id,
                 detail={"fields": changed, "version": interaction.version})
    return changed
