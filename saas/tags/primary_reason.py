"""The candidate's primary reason, kept on the candidate row for fast segments.

A candidate carries at most one reason tag that counts: a manual one, else the
inferred one with the highest confidence. ``Candidate.reason`` holds its code so
that ``reason:`` in a segment is an indexed column comparison (an index-only
scan over a million candidates) instead of a join through ``candidate_tags``.

It is kept in step automatically for every ORM change to a reason tag (added,
removed or changed, in any service): a ``before_flush`` hook notes the
candidates concerned and ``after_flush_postexec`` recomputes their reason from
the tags. Bulk Core statements on ``candidate_tags`` must call
:func:`sync_primary_reason` themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.attributes import get_history

from saas.candidates.models import Candidate
from saas.tags.models import CandidateTag

_PENDING = "rekindle_reason_candidates"


def primary_reason_of() -> sa.ScalarSelect[Any]:
    """SQL: the code of the reason tag that counts for the candidate of the outer row."""
    return (
        sa.select(CandidateTag.code)
        .where(CandidateTag.tenant_id == Candidate.tenant_id,
               CandidateTag.candidate_id == Candidate.id,
               CandidateTag.dimension == "reason")
        .order_by((CandidateTag.source == "manual").desc(),
                  CandidateTag.confidence.desc().nulls_last(),
                  CandidateTag.created_at.desc())
        .limit(1)
        .correlate(Candidate)
        .scalar_subquery()
    )


def sync_primary_reason(
    session: Session | scoped_session[Any], candidate_ids: Iterable[uuid.UUID]
) -> None:
    """Recompute ``Candidate.reason`` of these candidates from their tags."""
    ids = sorted(set(candidate_ids))
    for start in range(0, len(ids), 1000):
        session.execute(
            sa.update(Candidate)
            .where(Candidate.id.in_(ids[start:start + 1000]))
            .values(reason=primary_reason_of())
            .execution_options(synchronize_session="fetch")
        )


def _note_reason_changes(session: Session, _context: Any, _instances: Any) -> None:
    touched: set[uuid.UUID] = session.info.setdefault(_PENDING, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, CandidateTag) and obj.candidate_id is not None:
            history = get_history(obj, "dimension")
            previous: tuple[Any, ...] = tuple(history.deleted or ())
            dimensions = {obj.dimension, *previous}
            if "reason" in dimensions:
                touched.add(obj.candidate_id)


def _apply_reason_changes(session: Session, _context: Any) -> None:
    touched: set[uuid.UUID] = session.info.pop(_PENDING, set())
    if touched:
        sync_primary_reason(session, touched)


def install_primary_reason_sync() -> None:
    if not event.contains(Session, "before_flush", _note_reason_changes):
        event.listen(Session, "before_flush", _note_reason_changes)
        event.listen(Session, "after_flush_postexec", _apply_reason_changes)


install_primary_reason_sync()
