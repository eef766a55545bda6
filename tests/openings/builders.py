"""Candidates with skills and value tags, and change events, built with the models."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Flask

from saas.candidates.models import Candidate, CandidateSkill
from saas.extensions import db
from saas.openings.models import ChangeEvent
from saas.tags.models import CandidateTag
from saas.tenancy.context import tenant_context
from saas.timeutil import utcnow
from tests.factories import TenantFixture


def days_ago(days: int) -> dt.datetime:
    return utcnow() - dt.timedelta(days=days)


def person(name: str, *, values: tuple[str, ...] = (), skills: tuple[str, ...] = (),
           **fields: Any) -> Candidate:
    candidate = Candidate(name=name, **fields)
    db.session.add(candidate)
    db.session.flush()
    for code in values:
        db.session.add(CandidateTag(candidate_id=candidate.id, dimension="value", code=code))
    for skill in skills:
        db.session.add(CandidateSkill(candidate_id=candidate.id, skill=skill))
    db.session.flush()
    return candidate


def people(app: Flask, tenant: TenantFixture,
           specs: dict[str, dict[str, Any]]) -> dict[str, uuid.UUID]:
    """Several candidates at once (committed); returns their ids by name."""
    with app.app_context(), tenant_context(tenant.id):
        made = {name: person(name, **spec).id for name, spec in specs.items()}
        db.session.commit()
    return made


def event(app: Flask, tenant: TenantFixture, *, values: list[str], published: dt.datetime,
          title: str = "Remote work policy", kind: str = "policy") -> uuid.UUID:
    with app.app_context(), tenant_context(tenant.id):
        made = ChangeEvent(kind=kind, title=title, values=values, texts={},
                           occurred_on=published.date(), published_at=published)
        db.session.add(made)
        db.session.commit()
        return made.id
