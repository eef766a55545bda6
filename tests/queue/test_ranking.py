"""Queue ranking: reasons and their words, exclusions, order, pages, tenants."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.candidates.interactions import add_interaction, edit_interaction, timeline_of
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.queue import reasons
from saas.queue.decisions import current_decision, dismiss, snooze, undo_decision
from saas.queue.ranking import QueuePage, queue_context, rank_queue
from saas.queue.reasons import (
    QueueContext,
    QueueReason,
    add_queue_reason,
    points_when,
    queue_reasons,
)
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant
from saas.timeutil import utcnow
from tests.factories import TenantFixture
from tests.queue import builders
from tests.queue.builders import days_ago

TALK = dt.datetime(2025, 10, 12, 2, 0, tzinfo=dt.UTC)


@dataclass
class Pool:
    owner: uuid.UUID
    people: dict[str, uuid.UUID]


@pytest.fixture()
def pool(app: Flask, tenant_a: TenantFixture) -> Pool:
    """The recruiter's candidates: one per reason, and one per way of being left out."""
    owner = tenant_a.users["recruiter"]
    with app.test_request_context(), tenant_context(tenant_a.id):
        today = queue_context().today
        c = builders.candidate
        people = {
            "follow_up": c("Follow Up", owner_id=owner, last_contact_at=TALK,
                           next_follow_up_on=dt.date(2025, 11, 12)),
            "contract": c("Contract", owner_id=owner, last_contact_at=days_ago(60),
                          contract_end_date=today + dt.timedelta(days=45)),
            "stalled": c("Stalled", owner_id=owner, status="stalled",
                         last_contact_at=days_ago(90)),
            "silent": c("Silent", owner_id=owner, last_contact_at=days_ago(215)),
            "match": c("Match", owner_id=owner, last_contact_at=days_ago(60),
                       best_match_score=85),
            "nothing": c("Nothing", owner_id=owner, last_contact_at=days_ago(60)),
        }
        builders.interaction(people["follow_up"], TALK,
                             "Wrapping up the old project before moving on.",
                             quote="needs 1 month")
        builders.offer(people["stalled"], status="stalled", reason="project_wrapup",
                       reason_source="inferred", stalled_at=days_ago(9))
        due = {"owner_id": owner, "next_follow_up_on": today - dt.timedelta(days=1)}
        left_out = {
            "do_not_contact": c("DNC", status="do_not_contact", **due),
            "erased": c("Erased", status="erased", **due),
            "hired": c("Hired", status="hired", **due),
            "declined": c("Declined", status="declined", **due),
            "recent": c("Recent", last_contact_at=days_ago(5), **due),
            "snoozed": c("Snoozed", **due),
            "dismissed": c("Dismissed", **due),
            "someone_else": c("Someone else's", owner_id=tenant_a.users["tenant_admin"],
                              next_follow_up_on=today),
        }
        snooze(left_out["snoozed"], today + dt.timedelta(days=7), today=today)
        dismiss(left_out["dismissed"], "Joined a competitor last week", today=today)
        db.session.commit()
        ids = {k: v.id for k, v in {**people, **left_out}.items()}
    return Pool(owner, ids)


@pytest.fixture()
def english(app: Flask) -> Iterator[None]:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def _rank(tenant: TenantFixture, owner: uuid.UUID | None, **kwargs: object) -> QueuePage:
    with tenant_context(tenant.id):
        return rank_queue(queue_context(), owner_id=owner, **kwargs)  # type: ignore[arg-type]


def _order(page: QueuePage, pool: Pool) -> list[str]:
    names = {v: k for k, v in pool.people.items()}
    return [names[e.candidate.id] for e in page.entries]


def test_order_scores_and_reasons_in_english(
    app: Flask, tenant_a: TenantFixture, pool: Pool, english: None
) -> None:
    page = _rank(tenant_a, pool.owner)
    assert _order(page, pool) == ["follow_up", "stalled", "contract", "match", "silent"]
    by_name = {e.candidate.name: e for e in page.entries}
    follow_up = by_name["Follow Up"]
    assert follow_up.score == 55
    assert [(r.code, r.weight) for r in follow_up.reasons] == [
        ("follow_up_due", 40), ("long_silence", 15)]
    assert follow_up.reasons[0].text == (
        'Follow-up date reached: said "needs 1 month" on 2025-10-12')
    assert follow_up.reasons[1].text.startswith("Not contacted for 13 months")
    assert by_name["Contract"].reasons[0].text == "Contract ends in 45 days"
    assert by_name["Stalled"].reasons[0].text == "Stalled offer: project wrap-up"
    assert by_name["Match"].reasons[0].text == "High match for an open opening (85/100)"
    assert by_name["Silent"].reasons[0].text == "Not contacted for 7 months"
    assert [e.score for e in page.entries] == [55, 30, 30, 25, 15]


def test_reasons_in_chinese(app: Flask, tenant_a: TenantFixture, pool: Pool) -> None:
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        page = _rank(tenant_a, pool.owner)
    texts = {e.candidate.name: [r.text for r in e.reasons] for e in page.entries}
    assert "项目收尾" in texts["Stalled"][0]
    assert "needs 1 month" in texts["Follow Up"][0] and "2025-10-12" in texts["Follow Up"][0]
    assert "45" in texts["Contract"][0]
    assert "project wrap-up" not in texts["Stalled"][0]
    # The sentences themselves are Chinese, not only the labels in them.
    assert texts["Follow Up"][0].startswith("已到跟进日期")
    assert texts["Contract"][0] == "合同 45 天后到期"
    assert texts["Silent"][0] == "已 7 个月未联系"


def test_left_out_and_everyones_queue(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture, pool: Pool, english: None
) -> None:
    everyone = {e.candidate.name for e in _rank(tenant_a, None).entries}
    assert "Someone else's" in everyone
    for name in ("DNC", "Erased", "Hired", "Declined", "Recent", "Snoozed", "Dismissed",
                 "Nothing"):
        assert name not in everyone
    assert _rank(tenant_b, None).entries == []


def test_policy_window_comes_from_the_tenant(
    app: Flask, tenant_a: TenantFixture, pool: Pool, english: None
) -> None:
    with tenant_context(tenant_a.id):
        tenant = db.session.get(Tenant, tenant_a.id)
        assert tenant is not None
        tenant.policy = {**tenant.policy, "recontact_after_days": 70}
        db.session.commit()
    assert _order(_rank(tenant_a, pool.owner), pool) == ["follow_up", "stalled", "silent"]
    with tenant_context(tenant_a.id):
        tenant = db.session.get(Tenant, tenant_a.id)
        assert tenant is not None
        tenant.policy = {**tenant.policy, "recontact_after_days": "soon"}  # ignored: default
        db.session.commit()
    assert len(_rank(tenant_a, pool.owner).entries) == 5


def _record(person: Candidate, occurred_at: dt.datetime, direction: str = "note") -> None:
    add_interaction(person, {"direction": direction, "channel": None, "summary": "Called back",
                             "occurred_at": occurred_at})


def test_a_dismissal_ends_with_a_newer_interaction(
    app: Flask, tenant_a: TenantFixture, pool: Pool, english: None
) -> None:
    with tenant_context(tenant_a.id):
        person = db.session.get(Candidate, (tenant_a.id, pool.people["dismissed"]))
        snoozed = db.session.get(Candidate, (tenant_a.id, pool.people["snoozed"]))
        assert person is not None and snoozed is not None
        assert person.queue_hidden_until is not None
        _record(person, days_ago(3))  # older than the dismissal: it stands
        _record(snoozed, utcnow() + dt.timedelta(seconds=1))  # a snooze runs its course
        db.session.commit()
        assert current_decision(person.id) is not None
        names = {e.candidate.name for e in _rank(tenant_a, None).entries}
        assert {"Dismissed", "Snoozed"}.isdisjoint(names)

        _record(person, utcnow() + dt.timedelta(seconds=1))
        db.session.commit()
        assert current_decision(person.id) is None and person.queue_hidden_until is None
        assert current_decision(snoozed.id) is not None
        lifted = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "queue.dismissal_lifted")).all()
        assert [event.target_id for event in lifted] == [str(person.id)]
    names = {e.candidate.name for e in _rank(tenant_a, None).entries}
    assert "Dismissed" in names and "Snoozed" not in names


def test_an_edit_that_moves_a_note_after_the_dismissal_ends_it(
    app: Flask, tenant_a: TenantFixture, pool: Pool, english: None
) -> None:
    with tenant_context(tenant_a.id):
        person = db.session.get(Candidate, (tenant_a.id, pool.people["dismissed"]))
        assert person is not None
        _record(person, days_ago(3))
        note = db.session.scalars(timeline_of(person.id)).first()
        assert note is not None
        edit_interaction(person, note, {"occurred_at": utcnow() + dt.timedelta(seconds=1)})
        db.session.commit()
        assert current_decision(person.id) is None
    assert "Dismissed" in {e.candidate.name for e in _rank(tenant_a, None).entries}


def test_undo_and_a_new_decision_keep_the_candidates_last_day(
    app: Flask, tenant_a: TenantFixture, pool: Pool, english: None
) -> None:
    with tenant_context(tenant_a.id):
        person = db.session.get(Candidate, (tenant_a.id, pool.people["snoozed"]))
        assert person is not None
        today = queue_context().today
        snooze(person, today + dt.timedelta(days=20), today=today)
        assert person.queue_hidden_until == today + dt.timedelta(days=20)
        undo_decision(person)
        db.session.commit()
        assert person.queue_hidden_until is None
    assert "Snoozed" in {e.candidate.name for e in _rank(tenant_a, None).entries}


def test_pages_follow_the_order(
    app: Flask, tenant_a: TenantFixture, pool: Pool, english: None
) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        page = _rank(tenant_a, pool.owner, limit=2, cursor=cursor)
        seen += _order(page, pool)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ["follow_up", "stalled", "contract", "match", "silent"]


def test_a_later_capability_adds_a_reason_with_one_call(
    app: Flask, tenant_a: TenantFixture, pool: Pool, english: None
) -> None:
    before = queue_reasons()

    def describe(ctx: QueueContext, people: object) -> dict[uuid.UUID, str]:
        return {pool.people["nothing"]: "Open-to-work signal"}

    add_queue_reason(QueueReason(
        "open_to_work",
        lambda ctx: points_when(Candidate.id == pool.people["nothing"], 35),
        describe,
    ))
    try:
        page = _rank(tenant_a, pool.owner)
    finally:
        reasons._REASONS.pop("open_to_work")
    assert queue_reasons() == before
    entry = next(e for e in page.entries if e.candidate.id == pool.people["nothing"])
    assert entry.score == 35
    assert [(r.code, r.text) for r in entry.reasons] == [("open_to_work", "Open-to-work signal")]



def test_follow_up_words_date_the_note_in_the_candidates_time_zone(
    app: Flask, tenant_a: TenantFixture, english: None
) -> None:
    """07:30 in Shanghai on 13 October is still 12 October in UTC: the reason quotes the
    day the candidate spoke, the day the extractor counted the month from."""
    owner = tenant_a.users["recruiter"]
    spoke = dt.datetime(2025, 10, 12, 23, 30, tzinfo=dt.UTC)
    with tenant_context(tenant_a.id):
        person = builders.candidate("Early Bird", owner_id=owner, timezone="Asia/Shanghai",
                                    last_contact_at=spoke,
                                    next_follow_up_on=dt.date(2025, 11, 13))
        builders.interaction(person, spoke, "Handing over the project first",
                             quote="needs 1 month")
        db.session.commit()
    entry = next(e for e in _rank(tenant_a, owner).entries if e.candidate.name == "Early Bird")
    assert entry.reasons[0].text == 'Follow-up date reached: said "needs 1 month" on 2025-10-13'
