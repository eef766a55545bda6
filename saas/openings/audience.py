""""Who should hear about this": the candidates whose values an opening or event speaks to.

A candidate is in the audience when they hold at least one of its values as a
``value:`` tag (an ``EXISTS`` on ``candidate_tags (tenant_id, dimension, code,
candidate_id)``) and their status is not ``do_not_contact``, ``erased`` or
``hired``. Ranking: more matching values first; for an opening, then more of its
skills; then the longest silence (never contacted first); then id. Pages are
cut by a keyset cursor on exactly that order, so a page costs the same at any
depth. :func:`segment_query` is the same selection in the segment language.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from saas.candidates.models import Candidate, CandidateSkill
from saas.extensions import db
from saas.openings.matching import score_parts
from saas.tags.models import CandidateTag
from saas.timeutil import UTCDateTime

EXCLUDED_STATUSES = ("do_not_contact", "erased", "hired")
NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class BadAudienceCursor(ValueError):
    """The cursor was not one this audience handed out."""


@dataclass(frozen=True)
class Subject:
    """What is announced: its values and, for an opening, its skills."""

    values: Sequence[str]
    skills: Sequence[str] = ()


@dataclass(frozen=True)
class Listener:
    candidate: Candidate
    matching_values: list[str]
    matching_skills: list[str]
    score: int


@dataclass(frozen=True)
class AudiencePage:
    items: list[Listener]
    next_cursor: str | None
    total: int
    segment: str | None = None
    values: list[str] = field(default_factory=list)


def segment_query(subject: Subject) -> str | None:
    """``(value:a OR value:b) -status:do_not_contact …`` (``None`` without values)."""
    if not subject.values:
        return None
    terms = " OR ".join(f"value:{code}" for code in subject.values)
    if len(subject.values) > 1:
        terms = f"({terms})"
    return " ".join([terms, *(f"-status:{status}" for status in EXCLUDED_STATUSES)])


def _value_tags(subject: Subject) -> sa.Select[Any]:
    return sa.select(CandidateTag.candidate_id).where(
        CandidateTag.candidate_id == Candidate.id, CandidateTag.dimension == "value",
        CandidateTag.code.in_(list(subject.values)))


def _audience_filter(subject: Subject) -> sa.ColumnElement[bool]:
    return sa.and_(sa.exists(_value_tags(subject)), Candidate.status.not_in(EXCLUDED_STATUSES))


def _ranked(subject: Subject) -> sa.Subquery:
    value_hits = (_value_tags(subject).with_only_columns(sa.func.count())
                  .scalar_subquery().correlate(Candidate))
    if subject.skills:
        skill_hits: sa.ColumnElement[Any] = (
            sa.select(sa.func.count()).where(CandidateSkill.candidate_id == Candidate.id,
                                             CandidateSkill.skill.in_(list(subject.skills)))
            .scalar_subquery().correlate(Candidate))
    else:
        skill_hits = sa.literal(0)
    silence = sa.func.coalesce(Candidate.last_contact_at, sa.literal(NEVER, UTCDateTime()))
    return (sa.select(Candidate.id.label("id"), value_hits.label("value_hits"),
                      skill_hits.label("skill_hits"), silence.label("contact"))
            .where(_audience_filter(subject)).subquery("ranked"))


def audience_count(subject: Subject) -> int:
    if not subject.values:
        return 0
    return int(db.session.scalar(
        sa.select(sa.func.count()).select_from(Candidate).where(_audience_filter(subject))) or 0)


def _encode(values: int, skills: int, contact: dt.datetime, candidate_id: uuid.UUID) -> str:
    raw = json.dumps([values, skills, contact.isoformat(), str(candidate_id)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[int, int, dt.datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values, skills, contact, candidate_id = json.loads(raw)
        moment = dt.datetime.fromisoformat(contact)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return int(values), int(skills), moment, uuid.UUID(candidate_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise BadAudienceCursor(cursor) from exc


def audience(subject: Subject, *, limit: int = 50, cursor: str | None = None) -> AudiencePage:
    """One ranked page of the audience with its total and segment query."""
    if not subject.values:
        return AudiencePage([], None, 0)
    ranked = _ranked(subject)
    stmt = sa.select(ranked)
    if cursor:
        values, skills, contact, last_id = _decode(cursor)
        v, s, c = ranked.c.value_hits, ranked.c.skill_hits, ranked.c.contact
        stmt = stmt.where(sa.or_(
            v < values,
            sa.and_(v == values, s < skills),
            sa.and_(v == values, s == skills, c > contact),
            sa.and_(v == values, s == skills, c == contact, ranked.c.id > last_id)))
    stmt = stmt.order_by(ranked.c.value_hits.desc(), ranked.c.skill_hits.desc(),
                         ranked.c.contact, ranked.c.id).limit(limit + 1)
    rows = list(db.session.execute(stmt).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        contact_at = last.contact if last.contact.tzinfo else last.contact.replace(tzinfo=dt.UTC)
        next_cursor = _encode(int(last.value_hits), int(last.skill_hits), contact_at, last.id)
    return AudiencePage(_explain(subject, rows), next_cursor, audience_count(subject),
                        segment_query(subject), list(subject.values))


def _explain(subject: Subject, rows: Sequence[sa.Row[Any]]) -> list[Listener]:
    ids = [row.id for row in rows]
    if not ids:
        return []
    people = {c.id: c for c in db.session.scalars(
        sa.select(Candidate).where(Candidate.id.in_(ids)))}
    values: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
    for candidate_id, code in db.session.execute(
            sa.select(CandidateTag.candidate_id, CandidateTag.code).where(
                CandidateTag.candidate_id.in_(ids), CandidateTag.dimension == "value",
                CandidateTag.code.in_(list(subject.values)))):
        values[candidate_id].append(code)
    skills: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
    if subject.skills:
        for candidate_id, skill in db.session.execute(
                sa.select(CandidateSkill.candidate_id, CandidateSkill.skill).where(
                    CandidateSkill.candidate_id.in_(ids),
                    CandidateSkill.skill.in_(list(subject.skills)))):
            skills[candidate_id].append(skill)
    order = {code: i for i, code in enumerate(subject.values)}
    listeners = []
    for row in rows:
        if row.id not in people:
            continue
        matched = sorted(values[row.id], key=order.__getitem__)
        listeners.append(Listener(
            people[row.id], matched, sorted(skills[row.id]),
            score_parts(len(skills[row.id]), len(subject.skills), len(matched),
                        len(subject.values))))
    return listeners
