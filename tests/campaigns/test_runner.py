"""Launch, the holdout, the step runner (delays, idempotency), stop on reply, pause/resume."""

# ruff: noqa: F811
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.campaigns.results import campaign_results
from saas.campaigns.runner import run_batch, step_key
from saas.campaigns.service import CampaignProblem, get_campaign, in_holdout, launch, pause, resume
from saas.extensions import db
from saas.ids import new_id
from saas.outreach.models import InboundMessage
from saas.timeutil import utcnow
from tests.campaigns.support import (
    advance,
    draft,
    enrollments,
    launched,
    messages,
    people,
    templates,
)
from tests.factories import TenantFixture
from tests.outreach.outbox_support import (  # noqa: F401 (fixtures)
    NOW,
    StandInProvider,
    ctx,
    outreach_app,
    post_webhook,
    provider,
    set_policy,
)


def test_holdout_is_deterministic() -> None:
    campaign, candidate = uuid.uuid4(), uuid.uuid4()
    assert in_holdout(campaign, candidate, 10) == in_holdout(campaign, candidate, 10)
    assert not in_holdout(campaign, candidate, 0)
    share = sum(in_holdout(campaign, uuid.uuid4(), 10) for _ in range(5000)) / 5000
    assert 0.08 < share < 0.12


def test_launch_enrolls_with_a_holdout_that_is_never_contacted(
        ctx: TenantFixture, provider: StandInProvider) -> None:
    set_policy(ctx, max_messages_per_30_days=10)
    ids = people(200)
    templates("hello")
    campaign = launched([(0, "hello")])
    rows = enrollments(campaign.id)
    held = [e for e in rows if e.state == "holdout"]
    assert len(rows) == 200 and 8 <= len(held) <= 40  # ~10 % of 200
    assert all(in_holdout(campaign.id, e.candidate_id, 10) for e in held)
    assert {e.candidate_id for e in rows} == set(ids)
    while advance(campaign.id):
        pass
    sent = messages(campaign.id, state="sent")
    assert len(sent) == 200 - len(held)
    assert not {m.candidate_id for m in sent} & {e.candidate_id for e in held}
    assert len(provider.deliveries) == len(sent)
    assert get_campaign(campaign.id).state == "finished"  # type: ignore[union-attr]


def test_steps_follow_their_delays_and_a_rerun_never_duplicates(
        ctx: TenantFixture, provider: StandInProvider) -> None:
    set_policy(ctx, max_messages_per_30_days=10)
    people(5)
    templates("first", "second")
    campaign = launched([(0, "first"), (3, "second")], holdout=0)
    advance(campaign.id)
    assert len(messages(campaign.id, campaign_step=0, state="sent")) == 5
    assert not messages(campaign.id, campaign_step=1)
    advance(campaign.id, NOW + dt.timedelta(days=2))  # not yet due
    assert not messages(campaign.id, campaign_step=1)
    # A re-run of an already advanced step (a retried job) writes nothing new.
    for enrollment in enrollments(campaign.id):
        enrollment.next_position, enrollment.next_step_at = 0, NOW
    db.session.commit()
    advance(campaign.id)
    assert len(messages(campaign.id, campaign_step=0)) == 5
    assert len(provider.deliveries) == 5
    advance(campaign.id, NOW + dt.timedelta(days=3))
    second = messages(campaign.id, campaign_step=1, state="sent")
    assert len(second) == 5 and len(provider.deliveries) == 10
    assert {m.idempotency_key for m in second} == {
        step_key(campaign.id, m.candidate_id, 1) for m in second}
    assert {e.state for e in enrollments(campaign.id)} == {"finished"}


def test_a_reply_stops_further_steps(outreach_app: Flask, ctx: TenantFixture,
                                     provider: StandInProvider) -> None:
    set_policy(ctx, max_messages_per_30_days=10)
    people(3)
    templates("first", "second")
    campaign = launched([(0, "first"), (2, "second")], holdout=0)
    campaign.launched_at = utcnow() - dt.timedelta(hours=1)  # the reply comes in real time
    db.session.commit()
    advance(campaign.id)
    replier = messages(campaign.id, campaign_step=0)[0]
    response = post_webhook(outreach_app.test_client(), ctx.slug, [{
        "kind": "reply", "provider_event_id": f"ev-{uuid.uuid4().hex}",
        "in_reply_to": replier.provider_message_id, "text": "好的，可以聊"}])
    assert response.status_code == 200, response.get_json()
    states = {e.candidate_id: e.state for e in enrollments(campaign.id)}
    assert states[replier.candidate_id] == "replied"
    advance(campaign.id, NOW + dt.timedelta(days=2))
    second = messages(campaign.id, campaign_step=1)
    assert len(second) == 2 and replier.candidate_id not in {m.candidate_id for m in second}
    results = campaign_results(get_campaign(campaign.id))  # type: ignore[arg-type]
    assert results["replied"] == 1 and results["replies"]["contacted"] == 1


def test_pause_stops_advancing_and_resume_continues(ctx: TenantFixture,
                                                    provider: StandInProvider) -> None:
    people(4)
    templates("hello")
    campaign = launched([(0, "hello")], holdout=0)
    pause(campaign, now=NOW, actor_id=None)
    assert advance(campaign.id) == 0 and not messages(campaign.id)
    with pytest.raises(CampaignProblem):
        pause(get_campaign(campaign.id), now=NOW, actor_id=None)  # type: ignore[arg-type]
    resume(get_campaign(campaign.id), actor_id=None)  # type: ignore[arg-type]
    advance(campaign.id)
    assert len(messages(campaign.id, state="sent")) == 4


def test_policy_blocks_and_refusals_are_recorded_and_do_not_stop_the_runner(
        ctx: TenantFixture, provider: StandInProvider) -> None:
    reachable = people(3)
    people(2, consent=())  # no consent anywhere: no channel can reach them
    people(1, status="interviewing")  # hiring in progress: a blocked row
    templates("hello")
    campaign = launched([(0, "hello")], holdout=0)
    advance(campaign.id)
    results = campaign_results(get_campaign(campaign.id))  # type: ignore[arg-type]
    step = results["steps"][0]
    assert step["sent"] == len(reachable)
    assert step["refused"] == 2 and step["blocked_by_code"]["no_consent"] == 2
    assert step["blocked"] == 1 and step["blocked_by_code"]["hiring_in_progress"] == 1
    assert {e.state for e in enrollments(campaign.id)} == {"finished"}


def test_two_runners_at_once_never_duplicate(ctx: TenantFixture,
                                             provider: StandInProvider) -> None:
    people(6)
    templates("hello")
    campaign = launched([(0, "hello")], holdout=0)
    first = run_batch(get_campaign(campaign.id), NOW, size=4)  # type: ignore[arg-type]
    second = run_batch(get_campaign(campaign.id), NOW, size=4)  # type: ignore[arg-type]
    third = run_batch(get_campaign(campaign.id), NOW, size=4)  # type: ignore[arg-type]
    assert (first.advanced, second.advanced, third.advanced) == (4, 2, 0)
    keys = [m.idempotency_key for m in messages(campaign.id)]
    assert len(keys) == len(set(keys)) == 6


def test_an_empty_segment_is_not_launched(ctx: TenantFixture) -> None:
    templates("hello")
    campaign = draft([(0, "hello")], query="city:无人之城")
    with pytest.raises(CampaignProblem) as raised:
        launch(campaign, now=NOW, actor_id=None)
    assert raised.value.code == "empty_segment"
    assert get_campaign(campaign.id).state == "draft"  # type: ignore[union-attr]
    assert enrollments(campaign.id) == []


def test_results_compare_contacted_and_holdout(ctx: TenantFixture,
                                               provider: StandInProvider) -> None:
    set_policy(ctx, max_messages_per_30_days=10)
    people(60)
    templates("hello")
    campaign = launched([(0, "hello")], holdout=50)
    rows = enrollments(campaign.id)
    contacted = [e for e in rows if e.state == "active"]
    holdout = [e for e in rows if e.state == "holdout"]
    for enrollment in contacted[:6] + holdout[:2]:
        db.session.add(InboundMessage(
            id=new_id(), channel="phone", kind="reply", provider_event_id=uuid.uuid4().hex,
            candidate_id=enrollment.candidate_id, received_at=NOW + dt.timedelta(hours=1)))
    db.session.commit()
    results = campaign_results(get_campaign(campaign.id))  # type: ignore[arg-type]
    assert results["enrolled"] == 60 and results["held_out"] == len(holdout)
    expected_c = round(100 * 6 / len(contacted), 1)
    expected_h = round(100 * 2 / len(holdout), 1)
    assert results["reply_rate"] == {"contacted": expected_c, "holdout": expected_h}
    assert results["uplift_points"] == round(expected_c - expected_h, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 8
