"""Saved segments and previews: the operations the API and the pages share."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import get_timezone

from saas import audit
from saas.auth.current import actor
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.segments.compiler import select_candidates
from saas.segments.models import SavedSegment

SAMPLE_SIZE = 10


class SegmentNameTaken(Exception):
    """Another saved segment of the tenant already has this name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"A segment named '{name}' already exists")
        self.name = name


@dataclass(frozen=True)
class Preview:
    count: int
    sample: list[Candidate]


def local_today() -> dt.date:
    """Today in the signed-in user's time zone (else the tenant's)."""
    return dt.datetime.now(get_timezone()).date()


def count_of(stmt: sa.Select[Candidate]) -> int:
    """How many rows ``stmt`` (from :func:`select_candidates`) selects."""
    counted = stmt.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)
    return int(db.session.scalar(counted) or 0)


def preview(
    query: str | None, *, today: dt.date, user_id: uuid.UUID | None, size: int = SAMPLE_SIZE
) -> Preview:
    """The count and the first ``size`` candidates (newest first) a query selects.

    Raises :class:`~saas.segments.SegmentQueryError` for a bad query.
    """
    stmt = select_candidates(query, today=today, user_id=user_id)
    # One statement for both. The inner query finds the page's ids and counts every
    # match in the same pass (a window), touching only indexed columns where it can
    # (an index-only scan); only the page's rows are then read in full.
    total = sa.func.count().over().label("total")
    page = (stmt.with_only_columns(Candidate.id, total, maintain_column_froms=True)
            .order_by(Candidate.id.desc()).limit(size).subquery("page"))
    rows = db.session.execute(
        sa.select(Candidate, page.c.total).join(page, Candidate.id == page.c.id)
        .order_by(Candidate.id.desc())).all()
    if not rows:
        return Preview(count=0, sample=[])
    return Preview(count=int(rows[0].total), sample=[row[0] for row in rows])


def _name_taken(name: str, exclude: uuid.UUID | None = None) -> bool:
    stmt = sa.select(SavedSegment.id).where(sa.func.lower(SavedSegment.name) == name.lower())
    if exclude is not None:
        stmt = stmt.where(SavedSegment.id != exclude)
    return db.session.scalar(stmt.limit(1)) is not None


def _check(query: str, *, today: dt.date, user_id: uuid.UUID | None) -> None:
    """Compile ``query`` once so a bad one is refused before it is stored."""
    select_candidates(query, today=today, user_id=user_id)


def _record(action: str, segment: SavedSegment, detail: dict[str, Any] | None = None) -> None:
    kind, actor_id = actor()
    audit.record(action, actor_kind=kind, actor_id=actor_id, target_kind="segment",
                 target_id=segment.id, detail=detail)


def create_segment(*, name: str, query: str, description: str | None) -> SavedSegment:
    """Save a named query for the signed-in user's tenant.

    Raises SegmentQueryError (the query does not compile) or SegmentNameTaken,
    storing nothing in either case. The caller commits.
    """
    user_id = actor()[1]
    _check(query, today=local_today(), user_id=user_id)
    if _name_taken(name):
        raise SegmentNameTaken(name)
    segment = SavedSegment(name=name, query=query, description=description, created_by=user_id)
    try:
        with db.session.begin_nested():  # a concurrent save of the same name loses here
            db.session.add(segment)
    except sa.exc.IntegrityError as exc:
        raise SegmentNameTaken(name) from exc
    _record("segment.created", segment)
    return segment


EDITABLE = ("name", "query", "description")


def update_segment(segment: SavedSegment, changes: dict[str, Any]) -> SavedSegment:
    """Change name, query or description, with the same checks as on create."""
    changed = sorted(key for key in EDITABLE if key in changes)
    if "query" in changes:
        _check(changes["query"], today=local_today(), user_id=actor()[1])
    if "name" in changes and _name_taken(changes["name"], exclude=segment.id):
        raise SegmentNameTaken(changes["name"])
    for key in changed:
        setattr(segment, key, changes[key])
    db.session.flush()
    _record("segment.updated", segment, {"fields": changed})
    return segment


def delete_segment(segment: SavedSegment) -> None:
    _record("segment.deleted", segment)
    db.session.delete(segment)
