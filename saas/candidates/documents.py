"""Candidates and interactions as the documents the API returns and the pages show.

Lists are built in batches (tags, skills and people for a whole page in three
queries). Restricted fields are all included here; the schema layer removes
what the reader's role may not see (see :mod:`saas.candidates.schemas`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from saas.auth.models import User
from saas.candidates.models import Candidate, CandidateSkill
from saas.candidates.timeline import Interaction, InteractionRevision
from saas.extensions import db
from saas.tags.labels import tag_label
from saas.tags.models import CandidateTag, Tag

DIMENSION_ORDER = {"reason": 0, "value": 1, "channel": 2, "match": 3, "custom": 4}


def people(user_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, dict[str, Any]]:
    """``{id: {"id", "name"}}`` of the tenant's users among ``user_ids``."""
    wanted = {u for u in user_ids if u is not None}
    if not wanted:
        return {}
    rows = db.session.execute(sa.select(User.id, User.name).where(User.id.in_(wanted)))
    return {row.id: {"id": row.id, "name": row.name} for row in rows}


def tags_by_candidate(
    candidate_ids: Sequence[uuid.UUID], locale: str | None = None
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Each candidate's tags ``{dimension, code, label, source, confidence}``, in order."""
    found: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    if not candidate_ids:
        return found
    rows = list(db.session.scalars(sa.select(CandidateTag).where(
        CandidateTag.candidate_id.in_(candidate_ids))))
    custom_codes = {r.code for r in rows if r.dimension == "custom"}
    custom_labels = dict(db.session.execute(sa.select(Tag.code, Tag.label).where(
        Tag.code.in_(custom_codes))).all()) if custom_codes else {}
    for row in sorted(rows, key=lambda r: (DIMENSION_ORDER.get(r.dimension, 9), r.code)):
        found[row.candidate_id].append({
            "dimension": row.dimension, "code": row.code,
            "label": tag_label(row.dimension, row.code, locale, custom_labels=custom_labels),
            "source": row.source, "confidence": row.confidence,
        })
    return found


def _skills_by_candidate(candidate_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    found: dict[uuid.UUID, list[str]] = defaultdict(list)
    if candidate_ids:
        for candidate_id, skill in db.session.execute(sa.select(
                CandidateSkill.candidate_id, CandidateSkill.skill).where(
                CandidateSkill.candidate_id.in_(candidate_ids)).order_by(CandidateSkill.skill)):
            found[candidate_id].append(skill)
    return found


def candidate_documents(
    candidates: Sequence[Candidate], locale: str | None = None
) -> list[dict[str, Any]]:
    ids = [c.id for c in candidates]
    tags = tags_by_candidate(ids, locale)
    skills = _skills_by_candidate(ids)
    owners = people(c.owner_id for c in candidates)
    documents = []
    for c in candidates:
        documents.append({
            "id": c.id, "name": c.name, "emails": c.emails or [], "phones": c.phones or [],
            "wechat_id": c.wechat_id, "linkedin_url": c.linkedin_url,
            "current_company": c.current_company, "title": c.title, "city": c.city,
            "skills": skills[c.id], "preferred_channel": c.preferred_channel,
            "values": sorted({t["code"] for t in tags[c.id] if t["dimension"] == "value"}),
            "career_goal": c.career_goal, "contract_end_date": c.contract_end_date,
            "birthday": c.birthday, "locale": c.locale, "timezone": c.timezone,
            "status": c.status, "expected_salary": c.expected_salary,
            "current_salary": c.current_salary, "tags": tags[c.id],
            "next_follow_up_on": c.next_follow_up_on,
            "owner": owners.get(c.owner_id) if c.owner_id else None,
            "last_contact_at": c.last_contact_at,
            "created_at": c.created_at, "updated_at": c.updated_at,
        })
    return documents


def candidate_document(candidate: Candidate, locale: str | None = None) -> dict[str, Any]:
    return candidate_documents([candidate], locale)[0]


def _moment(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def questions_out(questions: Iterable[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Open questions ``[{text, answered_at}]`` with ``answered_at`` as a datetime."""
    return [{"text": q["text"], "answered_at": _moment(q.get("answered_at"))}
            for q in questions or []]


def interaction_documents(interactions: Sequence[Interaction]) -> list[dict[str, Any]]:
    authors = people(i.author_id for i in interactions)
    return [{
        "id": i.id, "candidate_id": i.candidate_id, "occurred_at": i.occurred_at,
        "channel": i.channel, "direction": i.direction, "summary": i.summary,
        "quote": i.quote, "open_questions": questions_out(i.open_questions),
        "author": authors.get(i.author_id) if i.author_id else None,
        "version": i.version, "edited_at": i.edited_at,
    } for i in interactions]


def revision_documents(revisions: Sequence[InteractionRevision]) -> list[dict[str, Any]]:
    editors = people(r.edited_by for r in revisions)
    return [{
        **(r.snapshot or {}), "occurred_at": _moment((r.snapshot or {}).get("occurred_at")),
        "open_questions": questions_out((r.snapshot or {}).get("open_questions")),
        "version": r.version, "replaced_at": r.edited_at,
        "replaced_by": editors.get(r.edited_by) if r.edited_by else None,
    } for r in revisions]
