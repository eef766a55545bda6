"""Candidates and interactions for the tag tests, made through the ORM."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from flask import Flask

from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.insights.service import apply_note_insights
from saas.tags.models import CandidateTag
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture

NOTE_ZH = "最近在处理旧公司的项目,需要1个月时间。他很看重弹性工作和团队氛围,习惯用微信联系。"
OCCURRED = dt.datetime(2025, 10, 12, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


def make_candidate(app: Flask, tenant: TenantFixture, **fields: Any) -> uuid.UUID:
    with app.app_context(), tenant_context(tenant.id):
        candidate = Candidate(name=fields.pop("name", "Li Na"), timezone="Asia/Shanghai",
                              **fields)
        db.session.add(candidate)
        db.session.commit()
        return candidate.id


def record_note(app: Flask, tenant: TenantFixture, candidate_id: uuid.UUID,
                summary: str = NOTE_ZH, occurred_at: dt.datetime = OCCURRED) -> uuid.UUID:
    """Add an interaction and run the insights on it, as the timeline does."""
    with app.app_context(), tenant_context(tenant.id):
        candidate = db.session.scalar(sa.select(Candidate).where(Candidate.id == candidate_id))
        assert candidate is not None
        interaction = Interaction(candidate_id=candidate_id, occurred_at=occurred_at,
                                  channel="wechat", direction="note")
        interaction.summary = summary
        db.session.add(interaction)
        apply_note_insights(candidate, interaction, actor_id=None)
        db.session.commit()
        return interaction.id


def rerun_note(app: Flask, tenant: TenantFixture, candidate_id: uuid.UUID,
               interaction_id: uuid.UUID) -> None:
    with app.app_context(), tenant_context(tenant.id):
        candidate = db.session.scalar(sa.select(Candidate).where(Candidate.id == candidate_id))
        interaction = db.session.scalar(
            sa.select(Interaction).where(Interaction.id == interaction_id))
        assert candidate is not None and interaction is not None
        apply_note_insights(candidate, interaction, actor_id=None)
        db.session.commit()


def tags(app: Flask, tenant: TenantFixture,
         candidate_id: uuid.UUID) -> dict[tuple[str, str], CandidateTag]:
    with app.app_context(), tenant_context(tenant.id):
        rows = db.session.scalars(
            sa.select(CandidateTag).where(CandidateTag.candidate_id == candidate_id))
        found = {(row.dimension, row.code): row for row in rows}
        db.session.expunge_all()
        return found


def candidate_row(app: Flask, tenant: TenantFixture, candidate_id: uuid.UUID) -> Candidate:
    with app.app_context(), tenant_context(tenant.id):
        candidate = db.session.scalar(sa.select(Candidate).where(Candidate.id == candidate_id))
        assert candidate is not None
        db.session.expunge(candidate)
        return candidate
