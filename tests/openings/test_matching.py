"""Match scores: the formula, the bands, and when they are refreshed."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.candidates.models import Candidate
from saas.candidates.services import update_candidate
from saas.extensions import db
from saas.openings.matching import match_level, score_parts
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture
from tests.openings.builders import people


@pytest.mark.parametrize("parts,expected", [
    ((2, 2, 1, 1), 100),
    ((1, 2, 0, 1), 35),
    ((2, 3, 1, 2), 62),  # 70 × 2/3 + 30 × 1/2 = 61.67
    ((0, 0, 1, 2), 50),  # no skills asked: values alone
    ((3, 4, 0, 0), 75),  # no values asked: skills alone
    ((0, 0, 0, 0), 0),
])
def test_score_formula(parts: tuple[int, int, int, int], expected: int) -> None:
    assert score_parts(*parts) == expected


@pytest.mark.parametrize("score,level", [(None, None), (0, "low"), (59, "low"),
                                         (60, "medium"), (79, "medium"), (80, "high"),
                                         (100, "high")])
def test_levels(score: int | None, level: str | None) -> None:
    assert match_level(score) == level


def _scores(app: Flask, tenant: TenantFixture) -> dict[str, int | None]:
    with app.app_context(), tenant_context(tenant.id):
        return {c.name: c.best_match_score for c in db.session.scalars(sa.select(Candidate))}


def test_scores_follow_openings_and_candidate_skills(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    made = people(app, tenant_a, {
        "Fit": {"skills": ("python", "go"), "values": ("career_growth",)},
        "Half": {"skills": ("python",)},
        "None": {},
    })
    people(app, tenant_b, {"Elsewhere": {"skills": ("python", "go"),
                                         "values": ("career_growth",)}})
    client = app.test_client()
    headers = tenant_a.headers()
    body = {"title": "Backend lead", "skills": ["python", "go"], "values": ["career_growth"]}
    opening = client.post("/api/v1/openings", json=body, headers=headers).json
    assert _scores(app, tenant_a) == {"Fit": None, "Half": None, "None": None}  # a draft

    url = f"/api/v1/openings/{opening['id']}"
    client.patch(url, json={"status": "open"}, headers=headers)
    assert _scores(app, tenant_a) == {"Fit": 100, "Half": 35, "None": 0}
    assert _scores(app, tenant_b) == {"Elsewhere": None}

    # A second, easier opening: each candidate keeps their best score.
    client.post("/api/v1/openings", json={"title": "Python dev", "skills": ["python"],
                                          "status": "open"}, headers=headers)
    assert _scores(app, tenant_a) == {"Fit": 100, "Half": 100, "None": 0}

    # A candidate's skills change: their score follows at once.
    with app.app_context(), tenant_context(tenant_a.id):
        person = db.session.scalars(
            sa.select(Candidate).where(Candidate.id == made["None"])).one()
        update_candidate(person, {"skills": ["python"]})
        db.session.commit()
    assert _scores(app, tenant_a)["None"] == 100

    # Editing an open opening rescores; closing every opening clears the scores.
    client.patch(url, json={"skills": ["go"]}, headers=headers)
    listed = client.get("/api/v1/openings?status=open", headers=headers).json["items"]
    for item in listed:
        client.patch(f"/api/v1/openings/{item['id']}", json={"status": "closed"},
                     headers=headers)
    assert _scores(app, tenant_a) == {"Fit": None, "Half": None, "None": None}


def test_refresh_is_idempotent(app: Flask, tenant_a: TenantFixture) -> None:
    from saas.openings.matching import refresh_match_scores

    people(app, tenant_a, {"A": {"skills": ("sql",)}, "B": {}})
    client = app.test_client()
    client.post("/api/v1/openings", json={"title": "Analyst", "skills": ["sql"],
                                          "status": "open"}, headers=tenant_a.headers())
    with app.app_context(), tenant_context(tenant_a.id):
        assert refresh_match_scores() == 0  # already up to date: nothing written
        assert refresh_match_scores([uuid.uuid4()]) == 0
