"""Snooze and dismiss: a recruiter's decision to take someone off the queue for a while.

* A snooze hides the candidate until the chosen day (at most a year ahead); on
  that day they are back.
* A dismissal (with a reason in words) hides them until they have a newer
  interaction than the dismissal, and at most for 180 days: recording one
  lifts it (:func:`lift_dismissals`, called wherever interactions are written).

A candidate has at most one decision: a new one replaces the old; undo removes it.
The decision's last day is copied to ``Candidate.queue_hidden_until``, so that the
queue leaves people out with a column of its covering index (:func:`in_queue_on`)
rather than a lookup per candidate — which, with a tenant's thousands of
decisions, would cost more than scoring the recruiter's whole list.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection

import sqlalchemy as sa
from flask_babel import gettext as _

from saas import audit
from saas.audit.service import ActorKind
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.ids import in_ids
from saas.queue.models import QueueDecision

DISMISS_DAYS = 180
MAX_SNOOZE_DAYS = 366
REASON_MAX = 300


class DecisionError(ValueError):
    """A snooze or dismissal refused; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def in_queue_on(today: dt.date) -> sa.ColumnElement[bool]:
    """SQL: no snooze or dismissal keeps the candidate out of the queue today."""
    return sa.or_(Candidate.queue_hidden_until.is_(None), Candidate.queue_hidden_until <= today)


def _replace(candidate: Candidate, decision: QueueDecision) -> None:
    db.session.execute(sa.delete(QueueDecision).where(QueueDecision.candidate_id == candidate.id))
    db.session.add(decision)
    candidate.queue_hidden_until = decision.active_until
    db.session.flush()


def lift_dismissals(candidate_ids: Collection[uuid.UUID], occurred_at: dt.datetime) -> int:
    """End the dismissals that an interaction at ``occurred_at`` is newer than.

    The candidates are back in the queue (subject to the policy window, which the
    interaction itself usually starts). Returns how many were lifted.
    """
    if not candidate_ids:
        return 0
    lifted = list(db.session.scalars(
        sa.delete(QueueDecision).where(
            in_ids(QueueDecision.candidate_id, candidate_ids), QueueDecision.decision == "dismiss",
            QueueDecision.created_at < occurred_at)
        .returning(QueueDecision.candidate_id).execution_options(synchronize_session=False)))
    if lifted:
        db.session.execute(
            sa.update(Candidate).where(in_ids(Candidate.id, lifted))
            .values(queue_hidden_until=None).execution_options(synchronize_session="fetch"))
        for candidate_id in lifted:
            audit.record("queue.dismissal_lifted", actor_kind="system",
                         target_kind="candidate", target_id=candidate_id, detail={})
    return len(lifted)


def lift_dismissal_of(candidate: Candidate, occurred_at: dt.datetime) -> None:
    """:func:`lift_dismissals` for one candidate at hand, without a query when no
    decision is on record (``queue_hidden_until`` is set with every decision)."""
    if candidate.queue_hidden_until is not None:
        lift_dismissals([candidate.id], occurred_at)


def _clean_reason(reason: str | None, *, required: bool) -> str | None:
    text = (reason or "").strip()
    if required and not text:
        raise DecisionError(_("Say why you dismiss this person."), "reason")
    if len(text) > REASON_MAX:
        raise DecisionError(_("Keep the reason to %(max)d characters.", max=REASON_MAX), "reason")
    return text or None


def snooze(
    candidate: Candidate, until: dt.date, *, today: dt.date, reason: str | None = None,
    actor_kind: ActorKind = "user", actor_id: uuid.UUID | None = None,
) -> QueueDecision:
    if until <= today:
        raise DecisionError(_("Pick a day after today."), "until")
    if until > today + dt.timedelta(days=MAX_SNOOZE_DAYS):
        raise DecisionError(_("Snooze for at most a year."), "until")
    decision = QueueDecision(candidate_id=candidate.id, decision="snooze", active_until=until,
                             reason=_clean_reason(reason, required=False), created_by=actor_id)
    _replace(candidate, decision)
    audit.record("queue.snoozed", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="candidate", target_id=candidate.id,
                 detail={"until": until.isoformat()})
    return decision


def dismiss(
    candidate: Candidate, reason: str | None, *, today: dt.date,
    actor_kind: ActorKind = "user", actor_id: uuid.UUID | None = None,
) -> QueueDecision:
    decision = QueueDecision(
        candidate_id=candidate.id, decision="dismiss",
        active_until=today + dt.timedelta(days=DISMISS_DAYS),
        reason=_clean_reason(reason, required=True), created_by=actor_id,
    )
    _replace(candidate, decision)
    audit.record("queue.dismissed", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="candidate", target_id=candidate.id, detail={})
    return decision


def undo_decision(
    candidate: Candidate, *, actor_kind: ActorKind = "user", actor_id: uuid.UUID | None = None,
) -> bool:
    """Remove the candidate's snooze or dismissal; ``False`` when there was none."""
    result = db.session.execute(
        sa.delete(QueueDecision).where(QueueDecision.candidate_id == candidate.id)
    )
    removed = bool(getattr(result, "rowcount", 0))
    candidate.queue_hidden_until = None
    if removed:
        audit.record("queue.decision_undone", actor_kind=actor_kind, actor_id=actor_id,
                     target_kind="candidate", target_id=candidate.id, detail={})
    return removed


def current_decision(candidate_id: uuid.UUID) -> QueueDecision | None:
    return db.session.scalars(
        sa.select(QueueDecision).where(QueueDecision.candidate_id == candidate_id)
        .order_by(QueueDecision.created_at.desc())
    ).first()
