"""``/api/v1/queue``: the ranked re-engagement queue, snooze, dismiss and undo."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.api.lookup import found_first
from saas.auth.current import actor, require_permission
from saas.candidates.models import Candidate
from saas.candidates.services import get_candidate
from saas.extensions import db
from saas.queue import schemas
from saas.queue.decisions import DecisionError, dismiss, snooze, undo_decision
from saas.queue.models import QueueDecision
from saas.queue.ranking import BadCursor, QueueEntry, queue_context, rank_queue

F = TypeVar("F", bound=Callable[..., Any])

queue_blp = Blueprint("queue_api", __name__, url_prefix="/api/v1/queue",
                      description="Who to contact now, and why")

# Seeing everyone's queue is for those who see the whole team.
SEE_ALL_PERMISSION = "user:read"


def entry_out(entry: QueueEntry) -> dict[str, Any]:
    c = entry.candidate
    return {
        "candidate": {"id": c.id, "name": c.name, "title": c.title,
                      "company": c.current_company, "status": c.status,
                      "preferred_channel": c.preferred_channel,
                      "last_contact_at": c.last_contact_at},
        "score": entry.score,
        "reasons": [{"code": r.code, "text": r.text, "weight": r.weight} for r in entry.reasons],
    }


def _candidate_or_404(candidate_id: uuid.UUID) -> Candidate:
    candidate = get_candidate(candidate_id)
    if candidate is None:
        abort(404)
    return candidate  # type: ignore[return-value]


known_candidate = found_first(_candidate_or_404, "candidate_id")


def _decision_out(decision: QueueDecision) -> dict[str, Any]:
    fields = ("id", "candidate_id", "decision", "reason", "active_until", "created_at")
    return {name: getattr(decision, name) for name in fields}


def _refuse(exc: DecisionError) -> None:
    db.session.rollback()
    abort(422, message=str(exc), errors={exc.field: [str(exc)]})


@queue_blp.route("")
class Queue(MethodView):
    @require_permission("queue:read")
    @queue_blp.arguments(schemas.QueueArgsSchema, location="query")
    @queue_blp.response(200, schemas.QueuePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Your queue, highest score first (``?owner=all``: everyone's, for admins)."""
        if args["owner"] == "all" and not current_user.can(SEE_ALL_PERMISSION):
            abort(403, message="Only admins can see everyone's queue (owner=all).")
        owner = None if args["owner"] == "all" else current_user.id
        try:
            page = rank_queue(queue_context(), owner_id=owner, limit=args["limit"],
                              cursor=args["cursor"])
        except BadCursor as exc:
            abort(400, message="The cursor is not valid; start again without it.",
                  errors={"cursor": [str(exc)]})
        return {"items": [entry_out(e) for e in page.entries], "next_cursor": page.next_cursor}


@queue_blp.route("/<uuid:candidate_id>/snooze")
class Snooze(MethodView):
    @require_permission("candidate:write")
    @known_candidate
    @queue_blp.arguments(schemas.SnoozeSchema)
    @queue_blp.response(201, schemas.QueueDecisionSchema)
    def post(self, data: dict[str, Any], candidate_id: uuid.UUID) -> dict[str, Any]:
        """Hide the candidate from the queue until a day (after today, within a year)."""
        candidate = _candidate_or_404(candidate_id)
        kind, actor_id = actor()
        try:
            decision = snooze(candidate, data["until"], today=queue_context().today,
                              reason=data.get("reason"), actor_kind=kind, actor_id=actor_id)
        except DecisionError as exc:
            _refuse(exc)
        db.session.commit()
        return _decision_out(decision)


@queue_blp.route("/<uuid:candidate_id>/dismiss")
class Dismiss(MethodView):
    @require_permission("candidate:write")
    @known_candidate
    @queue_blp.arguments(schemas.DismissSchema)
    @queue_blp.response(201, schemas.QueueDecisionSchema)
    def post(self, data: dict[str, Any], candidate_id: uuid.UUID) -> dict[str, Any]:
        """Take the candidate off the queue until a newer interaction (at most 180 days)."""
        candidate = _candidate_or_404(candidate_id)
        kind, actor_id = actor()
        try:
            decision = dismiss(candidate, data["reason"], today=queue_context().today,
                               actor_kind=kind, actor_id=actor_id)
        except DecisionError as exc:
            _refuse(exc)
        db.session.commit()
        return _decision_out(decision)


@queue_blp.route("/<uuid:candidate_id>/decision")
class Decision(MethodView):
    @require_permission("candidate:write")
    @queue_blp.response(204)
    def delete(self, candidate_id: uuid.UUID) -> None:
        """Undo a snooze or dismissal: the candidate is back on the queue."""
        candidate = _candidate_or_404(candidate_id)
        kind, actor_id = actor()
        if not undo_decision(candidate, actor_kind=kind, actor_id=actor_id):
            abort(404, message="This candidate has no snooze or dismissal to undo.")
        db.session.commit()
