"""The tenant's tag catalogue: system dimensions, custom tags, counts, tagging a segment.

Tagging everyone in a segment runs in batches of candidate ids (never ORM
objects), so a segment of a million candidates costs a thousand small
statements, and it is idempotent: candidates who already carry the tag by hand
are left out of the selection.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from saas import audit
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.ids import new_id
from saas.tags.candidate_tags import SINGLE_DIMENSIONS, Actor, TagError, check_code
from saas.tags.labels import SYSTEM_DIMENSIONS, code_label, codes_of, dimension_label, tag_label
from saas.tags.models import CandidateTag, Tag
from saas.tags.primary_reason import sync_primary_reason
from saas.tenancy.context import require_tenant_id
from saas.timeutil import utcnow

CUSTOM_CODE = re.compile(r"[a-z0-9_-]{1,40}")
BATCH = 1000


def _counts() -> dict[tuple[str, str], int]:
    stmt = sa.select(
        CandidateTag.dimension, CandidateTag.code, sa.func.count(CandidateTag.candidate_id)
    ).group_by(CandidateTag.dimension, CandidateTag.code)
    return {(dim, code): n for dim, code, n in db.session.execute(stmt).all()}


def catalogue(locale: str | None = None) -> dict[str, Any]:
    """System dimensions with codes, labels and candidate counts, plus custom tags."""
    counts = _counts()
    dimensions = [
        {
            "dimension": dimension,
            "label": dimension_label(dimension, locale),
            "codes": [
                {
                    "code": code,
                    "label": code_label(dimension, code, locale),
                    "tag_label": tag_label(dimension, code, locale),
                    "count": counts.get((dimension, code), 0),
                }
                for code in codes_of(dimension)
            ],
        }
        for dimension in SYSTEM_DIMENSIONS
    ]
    custom = [
        {
            "id": tag.id,
            "code": tag.code,
            "label": tag.label,
            "description": tag.description,
            "count": counts.get(("custom", tag.code), 0),
            "created_at": tag.created_at,
        }
        for tag in custom_tags()
    ]
    return {"dimensions": dimensions, "custom": custom}


def create_custom_tag(code: str, label: str, description: str | None, who: Actor) -> Tag:
    """Add a custom tag; :class:`TagError` (409) when the code is taken."""
    if not CUSTOM_CODE.fullmatch(code):
        raise TagError(_("Use 1-40 lower-case letters, digits, '_' or '-'."))
    if any(code in codes_of(dimension) for dimension in SYSTEM_DIMENSIONS):
        raise TagError(_("“%(code)s” is a system tag code; choose another code.", code=code))
    if db.session.scalar(sa.select(Tag.id).where(Tag.code == code)) is not None:
        raise TagError(_("A tag with the code “%(code)s” already exists.", code=code),
                       status=409)
    tag = Tag(code=code, label=label.strip(), description=(description or "").strip() or None)
    db.session.add(tag)
    db.session.flush()
    audit.record("tag.created", actor_kind=who.kind, actor_id=who.id, target_kind="tag",
                 target_id=tag.id, detail={"code": code})
    return tag


def custom_tags() -> list[Tag]:
    return list(db.session.scalars(sa.select(Tag).order_by(Tag.code)))


def load_custom_tag(tag_id: uuid.UUID) -> Tag | None:
    return db.session.scalar(sa.select(Tag).where(Tag.id == tag_id))


def delete_custom_tag(tag: Tag, who: Actor) -> None:
    """Delete a custom tag and take it off every candidate."""
    db.session.execute(
        sa.delete(CandidateTag)
        .where(CandidateTag.dimension == "custom", CandidateTag.code == tag.code)
        .execution_options(synchronize_session=False)
    )
    audit.record("tag.deleted", actor_kind=who.kind, actor_id=who.id, target_kind="tag",
                 target_id=tag.id, detail={"code": tag.code})
    db.session.delete(tag)
    db.session.flush()


def tag_segment(
    selection: sa.Select[tuple[Candidate]], dimension: str, code: str, who: Actor
) -> int:
    """Tag by hand every candidate ``selection`` finds; returns how many were newly tagged.

    A reason or channel replaces the candidate's previous one (and a channel
    becomes their preferred channel); an inferred tag of the same code becomes
    manual. Candidates who already carry it by hand are not counted again.
    """
    check_code(dimension, code)
    already = (
        sa.select(CandidateTag.id)
        .where(
            CandidateTag.candidate_id == Candidate.id,
            CandidateTag.dimension == dimension,
            CandidateTag.code == code,
            CandidateTag.source == "manual",
        )
        .exists()
    )
    ids_query = (
        selection.with_only_columns(Candidate.id).where(~already).order_by(Candidate.id)
    )
    tenant_id = require_tenant_id()
    tagged = 0
    last: uuid.UUID | None = None
    while True:
        page = ids_query if last is None else ids_query.where(Candidate.id > last)
        ids = list(db.session.scalars(page.limit(BATCH)))
        if not ids:
            break
        _tag_batch(tenant_id, ids, dimension, code, who)
        tagged += len(ids)
        last = ids[-1]
    audit.record("segment.tagged", actor_kind=who.kind, actor_id=who.id, target_kind="tag",
                 target_id=f"{dimension}:{code}", detail={"tagged": tagged})
    return tagged


def _tag_batch(
    tenant_id: uuid.UUID, ids: list[uuid.UUID], dimension: str, code: str, who: Actor
) -> None:
    replaced = CandidateTag.candidate_id.in_(ids) & (CandidateTag.dimension == dimension)
    if dimension not in SINGLE_DIMENSIONS:
        replaced &= CandidateTag.code == code
    db.session.execute(
        sa.delete(CandidateTag).where(replaced).execution_options(synchronize_session=False)
    )
    now = utcnow()
    db.session.execute(
        sa.insert(CandidateTag),
        [
            {"id": new_id(), "tenant_id": tenant_id, "candidate_id": candidate_id,
             "dimension": dimension, "code": code, "source": "manual",
             "created_by": who.id, "created_at": now}
            for candidate_id in ids
        ],
    )
    if dimension == "reason":
        sync_primary_reason(db.session, ids)
    if dimension == "channel":
        db.session.execute(
            sa.update(Candidate)
            .where(Candidate.id.in_(ids))
            .values(preferred_channel=code, preferred_channel_source="manual")
            .execution_options(synchronize_session=False)
        )
