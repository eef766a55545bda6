"""Shared set-up of the campaign tests: candidates, templates, a campaign, the runner."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa

from saas.campaigns.jobs import advance_campaign
from saas.campaigns.models import Campaign, CampaignEnrollment
from saas.campaigns.service import StepSpec, create_campaign, launch
from saas.extensions import db
from saas.outreach.models import OutboundMessage
from tests.outreach.outbox_support import NOW, make_candidate, make_template


def people(n: int, city: str = "杭州", **fields: Any) -> list[uuid.UUID]:
    ids = [make_candidate(f"Person {i}", preferred_channel="phone", city=city, **fields).id
           for i in range(n)]
    db.session.commit()
    return ids


def templates(*names: str) -> None:
    for name in names:
        make_template(name, body=f"{name}: hello {{{{ candidate.name }}}}, it has been a while.")
    db.session.commit()


def draft(steps: list[tuple[int, str]], *, query: str = "city:杭州", holdout: int = 10,
          name: str | None = None) -> Campaign:
    campaign = create_campaign(
        name=name or f"campaign {uuid.uuid4().hex[:6]}", segment_query=query,
        holdout_percent=holdout, steps=[StepSpec(d, t) for d, t in steps],
        created_by=None, today=NOW.date())
    db.session.commit()
    return campaign


def launched(steps: list[tuple[int, str]], **options: Any) -> Campaign:
    campaign = draft(steps, **options)
    launch(campaign, now=NOW, actor_id=None)
    return campaign


def advance(campaign_id: uuid.UUID, now: dt.datetime = NOW) -> int:
    """The runner job as a worker runs it (sending inline: no Redis in tests)."""
    tenant_id = db.session.scalar(sa.select(Campaign.tenant_id).where(Campaign.id == campaign_id))
    done = advance_campaign(tenant_id, str(campaign_id), now.isoformat())
    db.session.expire_all()
    return done


def messages(campaign_id: uuid.UUID, **where: Any) -> list[OutboundMessage]:
    db.session.expire_all()
    stmt = sa.select(OutboundMessage).where(OutboundMessage.campaign_id == campaign_id)
    for key, value in where.items():
        stmt = stmt.where(getattr(OutboundMessage, key) == value)
    return list(db.session.scalars(stmt))


def enrollments(campaign_id: uuid.UUID) -> list[CampaignEnrollment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(CampaignEnrollment).where(
        CampaignEnrollment.campaign_id == campaign_id)))
