"""A small tenant whose candidates cover every segment field, built with the models."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask

from saas.candidates.models import Candidate, CandidateSkill
from saas.extensions import db
from saas.tags.models import CandidateTag, Tag
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture, make_tenant

TODAY = dt.date(2026, 1, 15)


def days_ago(days: int) -> dt.datetime:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days), dt.time(12), tzinfo=dt.UTC)


def in_days(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


@dataclass
class People:
    """The fixture tenant, the other tenant, and candidate ids by name."""

    tenant: TenantFixture
    other: TenantFixture
    ids: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.ids)


# name -> (columns, skills, tags as (dimension, code, source))
CANDIDATES: dict[str, tuple[dict[str, Any], list[str], list[tuple[str, str, str]]]] = {
    "张伟": (
        {"title": "后端工程师", "current_company": "某科技", "city": "上海", "status": "stalled",
         "owner": "recruiter", "preferred_channel": "wechat", "best_match_score": 85,
         "last_contact_at": days_ago(200), "contract_end_date": in_days(45),
         "next_follow_up_on": in_days(-1)},
        ["python", "pmp"],
        [("reason", "project_wrapup", "inferred"), ("value", "flexibility", "manual"),
         ("custom", "vip", "manual")],
    ),
    "Alice Smith": (
        {"title": "Senior Backend Engineer", "current_company": "Acme_Corp 100%",
         "city": "London", "status": "nurturing", "owner": "tenant_admin",
         "preferred_channel": "email", "best_match_score": 65, "last_contact_at": days_ago(10),
         "contract_end_date": in_days(200), "next_follow_up_on": in_days(10)},
        ["go"],
        [("reason", "counter_offer", "manual"), ("value", "team_culture", "inferred"),
         ("channel", "wechat", "inferred")],
    ),
    "Bob Lee": ({"status": "do_not_contact"}, [], []),
    "Li Na": (
        {"title": "Data Scientist", "current_company": "Globex", "city": "Shanghai",
         "status": "stalled", "owner": "recruiter", "preferred_channel": "phone",
         "best_match_score": 40, "last_contact_at": days_ago(180),
         "contract_end_date": in_days(-5), "next_follow_up_on": TODAY},
        ["python", "c++"],
        [("reason", "project_wrapup", "manual"), ("value", "compensation", "inferred")],
    ),
    "Wang Fang": (
        {"title": "Product Manager", "current_company": "某科技", "city": "上海",
         "status": "hired", "best_match_score": 80, "last_contact_at": days_ago(29),
         "contract_end_date": in_days(90)},
        ["pmp"],
        [("value", "flexibility", "inferred")],
    ),
    "Zhao Lei": (
        {"title": "QA Engineer", "status": "active", "best_match_score": 79,
         "last_contact_at": days_ago(30), "contract_end_date": TODAY},
        [],
        [("custom", "gold", "manual")],
    ),
}


def _add_candidate(
    tenant: TenantFixture,
    name: str,
    columns: dict[str, Any],
    skills: list[str],
    tags: list[tuple[str, str, str]],
) -> uuid.UUID:
    values = dict(columns)
    owner = values.pop("owner", None)
    candidate = Candidate(
        name=name, owner_id=tenant.users[owner] if owner else None, **values
    )
    db.session.add(candidate)
    db.session.flush()
    for skill in skills:
        db.session.add(CandidateSkill(candidate_id=candidate.id, skill=skill))
    for dimension, code, source in tags:
        db.session.add(CandidateTag(
            candidate_id=candidate.id, dimension=dimension, code=code, source=source,
            confidence=0.9 if source == "inferred" else None,
        ))
    db.session.flush()
    return candidate.id


def seed(app: Flask, tenant: TenantFixture, *, custom_tags: bool = True) -> dict[str, uuid.UUID]:
    """Every fixture candidate in ``tenant``; returns their ids by name."""
    ids: dict[str, uuid.UUID] = {}
    with app.app_context(), tenant_context(tenant.id):
        if custom_tags:
            db.session.add(Tag(code="vip", label="重点关注"))
            db.session.add(Tag(code="gold", label="Gold Medal"))
        for name, (columns, skills, tags) in CANDIDATES.items():
            ids[name] = _add_candidate(tenant, name, columns, skills, tags)
        db.session.commit()
    return ids


@pytest.fixture(scope="module")
def people(app: Flask) -> People:
    """The fixture tenant, plus an identical other tenant that must never show up."""
    tenant = make_tenant(app, "seg")
    other = make_tenant(app, "segother")
    found = People(tenant=tenant, other=other)
    found.ids = seed(app, tenant)
    seed(app, other)
    return found
