"""Erasure: every row about a candidate deleted, their key destroyed, a count kept.

``erase_candidate`` is the one way a person leaves Rekindle: the erasure
request (API and page), the plain ``DELETE`` of a candidate and the retention
job all come here. In the caller's transaction it

1. refuses a candidate under legal hold (:class:`UnderLegalHold`, whatever the cause);
2. runs every erasure step — the built-in ones below and those other packages
   add with :func:`add_erasure_step` — each deleting one table's rows about the
   person; then deletes the candidate row;
3. destroys the candidate's data keys, so every copy of their encrypted data,
   in the live database and in older backups, can no longer be decrypted;
4. adds one to the identity-free :class:`ErasureTally` (month, status, primary
   reason, cause) that analytics keep;
5. records ``candidate.erased`` with codes and counts only.

Audit events that name the candidate's id stay: the id is a random UUID and
the events hold no personal data. Erasing an id that is already erased changes
nothing and says so (``Erasure.erased`` is ``False``). Nothing here commits.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from saas import audit
from saas.audit.models import AuditEvent
from saas.candidates.models import Candidate, CandidateContactKey, CandidateSkill
from saas.candidates.timeline import Interaction, InteractionRevision
from saas.crypto.keys import destroy_keys
from saas.extensions import db
from saas.ids import new_id
from saas.offers.models import Offer
from saas.privacy.models import ConsentRecord, ErasureTally, RetentionNotice
from saas.queue.models import QueueDecision
from saas.tags.models import CandidateTag, TagCorrection
from saas.tenancy.context import require_tenant_id
from saas.timeutil import utcnow

log = logging.getLogger(__name__)

Cause = Literal["request", "retention"]
CAUSES: tuple[Cause, ...] = ("request", "retention")
# A step deletes one kind of row about the candidate and returns how many it removed.
ErasureStep = Callable[[uuid.UUID], int]


class UnderLegalHold(RuntimeError):
    """The candidate is under legal hold: nothing may erase them until it is lifted."""

    def __init__(self, candidate_id: uuid.UUID) -> None:
        super().__init__(f"candidate {candidate_id} is under legal hold")
        self.candidate_id = candidate_id


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: ``erased`` is False when the id was already erased."""

    candidate_id: uuid.UUID
    erased: bool
    rows: dict[str, int] = field(default_factory=dict)
    keys_destroyed: int = 0


_STEPS: dict[str, ErasureStep] = {}


def add_erasure_step(step: ErasureStep, *, name: str | None = None) -> ErasureStep:
    """Register ``step(candidate_id) -> rows removed``; usable as a decorator.

    Steps run in registration order, before the candidate row is deleted, so a
    table with a foreign key to ``candidates`` is emptied first. Registering the
    same name again replaces the step (module reloads stay harmless).
    """
    _STEPS[name or step.__name__] = step
    return step


def erasure_steps() -> dict[str, ErasureStep]:
    """The registered steps by name, in the order they run."""
    return dict(_STEPS)


def _rows_of(model: type, candidate_id: uuid.UUID) -> int:
    result = db.session.execute(
        sa.delete(model).where(model.candidate_id == candidate_id))  # type: ignore[attr-defined]
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _deleting(model: type, name: str) -> ErasureStep:
    def step(candidate_id: uuid.UUID) -> int:
        return _rows_of(model, candidate_id)

    step.__name__ = name
    return step


# Revisions point at interactions: they go first.
for _model, _name in (
    (InteractionRevision, "interaction_revisions"),
    (Interaction, "interactions"),
    (CandidateTag, "candidate_tags"),
    (TagCorrection, "tag_corrections"),
    (CandidateSkill, "candidate_skills"),
    (CandidateContactKey, "candidate_contact_keys"),
    (Offer, "offers"),
    (QueueDecision, "queue_decisions"),
    (ConsentRecord, "consent_records"),
    (RetentionNotice, "retention_notices"),
):
    add_erasure_step(_deleting(_model, _name), name=_name)


def was_erased(candidate_id: uuid.UUID) -> bool:
    """Whether this tenant erased ``candidate_id`` (its ``candidate.erased`` event)."""
    found = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "candidate.erased", AuditEvent.target_kind == "candidate",
        AuditEvent.target_id == str(candidate_id)))
    return bool(found)


def _count_erasure(status: str, reason: str, cause: Cause) -> None:
    """Add one to the tally of this month, status, reason and cause (an upsert)."""
    values = {"tenant_id": require_tenant_id(), "id": new_id(),
              "period": utcnow().strftime("%Y-%m"), "status": status, "reason": reason,
              "cause": cause, "count": 1}
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(ErasureTally).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "period", "status", "reason", "cause"],
        set_={"count": ErasureTally.count + 1},
    )
    db.session.execute(stmt)


def erase_candidate(
    candidate: Candidate,
    *,
    cause: Cause,
    actor_kind: audit.service.ActorKind = "system",
    actor_id: uuid.UUID | None = None,
) -> Erasure:
    """Erase the candidate (see the module docstring); the caller commits."""
    if cause not in CAUSES:
        raise ValueError(f"cause must be one of {CAUSES}, not {cause!r}")
    candidate_id = candidate.id
    with db.session.no_autoflush:
        current = db.session.scalars(
            sa.select(Candidate).where(Candidate.id == candidate_id)).first()
    if current is None:
        log.info("candidate %s is already erased (or never existed): nothing to do",
                 candidate_id)
        return Erasure(candidate_id=candidate_id, erased=False)
    if current.legal_hold_at is not None:
        raise UnderLegalHold(candidate_id)
    status, reason = current.status, current.reason or ""
    db.session.flush()
    rows = {name: step(candidate_id) for name, step in _STEPS.items()}
    db.session.delete(current)
    db.session.flush()
    rows["candidates"] = 1
    keys = destroy_keys("candidate", candidate_id)
    _count_erasure(status, reason, cause)
    audit.record("candidate.erased", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="candidate", target_id=candidate_id,
                 detail={"cause": cause, "status": status, "reason": reason or None,
                         "rows": {name: n for name, n in rows.items() if n},
                         "keys_destroyed": keys})
    db.session.flush()
    return Erasure(candidate_id=candidate_id, erased=True, rows=rows, keys_destroyed=keys)
