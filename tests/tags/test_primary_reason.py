"""``Candidate.reason`` always equals the reason tag that counts, whatever changed it."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Flask

from saas.candidates.models import Candidate
from saas.extensions import db
from saas.segments.compiler import select_candidates
from saas.tags.candidate_tags import Actor, accept_tag, add_tag, correct_tag, remove_tag
from saas.tags.catalog import tag_segment
from saas.tags.models import CandidateTag
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture
from tests.tags.helpers import make_candidate, record_note

NOTE = "最近在处理旧公司的项目收尾,需要1个月时间"


def _stored_and_expected(candidate_id: uuid.UUID) -> tuple[str | None, str | None]:
    db.session.expire_all()
    stored = db.session.scalar(sa.select(Candidate.reason).where(Candidate.id == candidate_id))
    tags = db.session.scalars(sa.select(CandidateTag).where(
        CandidateTag.candidate_id == candidate_id, CandidateTag.dimension == "reason")).all()
    manual = [t for t in tags if t.source == "manual"]
    pick = manual or sorted(tags, key=lambda t: -(t.confidence or 0))
    return stored, (pick[0].code if pick else None)


def _reason_tag(candidate_id: uuid.UUID) -> CandidateTag:
    return db.session.scalars(sa.select(CandidateTag).where(
        CandidateTag.candidate_id == candidate_id, CandidateTag.dimension == "reason")).one()


def test_reason_column_follows_every_kind_of_change(app: Flask, tenant_a: TenantFixture) -> None:
    cid = make_candidate(app, tenant_a)
    record_note(app, tenant_a, cid, NOTE)
    who = Actor("user", tenant_a.users["recruiter"])
    with app.app_context(), tenant_context(tenant_a.id):
        stored, expected = _stored_and_expected(cid)
        assert stored == expected == "project_wrapup"  # inferred from the note

        candidate = db.session.get(Candidate, (tenant_a.id, cid))
        assert candidate is not None
        correct_tag(candidate, _reason_tag(cid), "counter_offer", who)
        db.session.commit()
        assert _stored_and_expected(cid) == ("counter_offer", "counter_offer")

        add_tag(candidate, "reason", "family_matter", who)  # a manual reason replaces it
        db.session.commit()
        assert _stored_and_expected(cid) == ("family_matter", "family_matter")

        remove_tag(candidate, _reason_tag(cid), who)
        db.session.commit()
        assert _stored_and_expected(cid) == (None, None)

        tagged = tag_segment(select_candidates(None, today=candidate.created_at.date(),
                                               user_id=None), "reason", "relocation", who)
        db.session.commit()
        assert tagged == 1 and _stored_and_expected(cid) == ("relocation", "relocation")
        found = db.session.scalars(select_candidates(
            "reason:relocation", today=candidate.created_at.date(), user_id=None)).all()
        assert [c.id for c in found] == [cid]


def test_accepting_an_inferred_reason_keeps_it(app: Flask, tenant_a: TenantFixture) -> None:
    cid = make_candidate(app, tenant_a)
    record_note(app, tenant_a, cid, NOTE)
    with app.app_context(), tenant_context(tenant_a.id):
        candidate = db.session.get(Candidate, (tenant_a.id, cid))
        assert candidate is not None
        accept_tag(candidate, _reason_tag(cid), Actor("user", tenant_a.users["recruiter"]))
        db.session.commit()
        assert _stored_and_expected(cid) == ("project_wrapup", "project_wrapup")
