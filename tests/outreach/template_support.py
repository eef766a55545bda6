"""Test data for the template tests: a candidate with a timeline, change events, openings."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from saas.extensions import db
from saas.openings.models import ChangeEvent, Opening
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture

LI_MING = {
    "name": "李明", "title": "后端工程师", "current_company": "某科技", "city": "上海",
    "skills": ["Python", "go"], "values": ["flexibility", "career_growth"],
    "preferred_channel": "wechat", "locale": "zh-CN", "timezone": "Asia/Shanghai",
    "status": "stalled",
}


@dataclass
class Story:
    """One candidate's history and the company's news around it."""

    candidate_id: str
    today: dt.date
    events: dict[str, uuid.UUID] = field(default_factory=dict)
    openings: dict[str, uuid.UUID] = field(default_factory=dict)


def days_ago(days: int) -> str:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    return moment.replace(microsecond=0).isoformat()


def create_candidate(app: Flask, tenant: TenantFixture, **overrides: Any) -> str:
    response = app.test_client().post("/api/v1/candidates", json={**LI_MING, **overrides},
                                      headers=tenant.headers("recruiter"))
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def add_interaction(app: Flask, tenant: TenantFixture, candidate_id: str,
                    **body: Any) -> dict[str, Any]:
    response = app.test_client().post(f"/api/v1/candidates/{candidate_id}/interactions",
                                      json=body, headers=tenant.headers("recruiter"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def tell_story(app: Flask, tenant: TenantFixture) -> Story:
    """Li Ming: talked 200 and 100 days ago (the last), a note since; news and openings."""
    candidate_id = create_candidate(app, tenant)
    first = add_interaction(app, tenant, candidate_id, occurred_at=days_ago(200),
                            channel="email", direction="inbound", summary="第一次聊offer",
                            open_questions=["期权怎么算", "团队有多大"])
    answered = app.test_client().patch(
        f"/api/v1/candidates/{candidate_id}/interactions/{first['id']}",
        json={"answered_questions": [1]}, headers=tenant.headers("recruiter"))
    assert answered.status_code == 200, answered.get_json()
    add_interaction(app, tenant, candidate_id, occurred_at=days_ago(100), channel="wechat",
                    direction="outbound", summary="手上的项目要收尾，需要两个月",
                    quote="等项目上线了再聊", open_questions=["年终奖怎么算"])
    add_interaction(app, tenant, candidate_id, occurred_at=days_ago(10), channel="phone",
                    direction="note", summary="内部备注：下月再联系")
    today = dt.datetime.now(dt.UTC).date()
    story = Story(candidate_id, today)
    published = dt.datetime.now(dt.UTC)
    events = {
        # kind, values, days ago, published, texts
        "remote": ("policy", ["flexibility"], 30, True,
                   {"zh-CN": "研发团队每周可以远程两天。", "en": "Two remote days a week."}),
        "leave": ("benefit", ["family"], 20, True, {"zh-CN": "育儿假延长", "en": "Longer leave"}),
        "old": ("training_program", ["career_growth"], 150, True, {"zh-CN": "导师计划"}),
        "draft": ("policy", ["flexibility"], 10, False, {"zh-CN": "草稿"}),
        "future": ("award", ["career_growth"], -5, True, {"zh-CN": "未来的奖"}),
        "funding": ("funding", ["career_growth", "stability"], 5, True,
                    {"zh-CN": "完成B轮融资。", "en": "We closed our Series B."}),
    }
    openings = {
        # skills, values, status
        "lead": (["python"], ["career_growth"], "open"),
        "backend": (["python", "go"], [], "open"),
        "remote_manager": ([], ["flexibility", "career_growth"], "open"),
        "java": (["java"], [], "open"),
        "closed": (["python"], ["flexibility"], "closed"),
        "go_only": (["go"], [], "open"),
    }
    with app.app_context(), tenant_context(tenant.id):
        for key, (kind, values, ago, is_published, texts) in events.items():
            event = ChangeEvent(kind=kind, title=f"event {key}", values=values, texts=texts,
                                occurred_on=today - dt.timedelta(days=ago),
                                published_at=published if is_published else None)
            db.session.add(event)
            db.session.flush()
            story.events[key] = event.id
        for key, (skills, values, status) in openings.items():
            opening = Opening(title=f"opening {key}", team="Platform", location="上海",
                              level="P7", skills=skills, values=values, status=status)
            db.session.add(opening)
            db.session.flush()
            story.openings[key] = opening.id
        db.session.commit()
    return story
