"""Newest-first pages of candidates (filtered by a segment query) and of a timeline.

Cursors are the last id seen (see :mod:`saas.api.pagination`). Candidate ids are
UUIDv7, so "newest first" is ``id`` descending; a timeline is ordered by
``occurred_at`` then ``id``, and its cursor's interaction gives the position.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from saas.api.pagination import decode_cursor, encode_cursor
from saas.candidates.interactions import timeline_of
from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.segments.compiler import select_candidates


def candidate_page(
    query_text: str | None, *, today: dt.date, user_id: uuid.UUID | None, limit: int,
    cursor: str | None,
) -> tuple[list[Candidate], str | None]:
    """One page of the candidates a segment query selects (raises ``SegmentQueryError``)."""
    stmt = select_candidates(query_text, today=today, user_id=user_id)
    if cursor:
        stmt = stmt.where(Candidate.id < decode_cursor(cursor))
    rows = list(db.session.scalars(stmt.order_by(None).order_by(Candidate.id.desc())
                                   .limit(limit + 1)))
    return rows[:limit], encode_cursor(rows[limit - 1].id) if len(rows) > limit else None


def timeline_page(
    candidate: Candidate, *, limit: int, cursor: str | None
) -> tuple[list[Interaction], str | None]:
    """One page of the candidate's timeline, newest first."""
    stmt = timeline_of(candidate.id)
    if cursor:
        after_id = decode_cursor(cursor)
        last = db.session.scalar(sa.select(Interaction.occurred_at).where(
            Interaction.id == after_id, Interaction.candidate_id == candidate.id))
        if last is not None:
            stmt = stmt.where(sa.or_(
                Interaction.occurred_at < last,
                sa.and_(Interaction.occurred_at == last, Interaction.id < after_id)))
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    return rows[:limit], encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
