"""Replies on the webhook: matching, timeline, campaigns, unsubscribe, interest."""

# The fixtures come from tests/outreach/outbox_support.py (imported below, used as arguments).
# ruff: noqa: F811

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.campaigns.models import Campaign, CampaignEnrollment
from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.outreach.inbound import read_interest
from saas.outreach.models import InboundMessage
from saas.outreach.outbox import queue_message
from saas.privacy.consent import contact_permission
from tests.factories import TenantFixture
from tests.outreach.outbox_support import (  # noqa: F401 (fixtures)
    NOW,
    ctx,
    make_candidate,
    make_template,
    outreach_app,
    post_webhook,
    provider,
)


def _reply(client: object, slug: str, **fields: str) -> InboundMessage:
    event_id = f"ev-{uuid.uuid4().hex}"
    response = post_webhook(client, slug, [{"kind": "reply", "provider_event_id": event_id,
                                            **fields}])
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    return db.session.scalars(sa.select(InboundMessage).where(
        InboundMessage.provider_event_id == event_id)).one()


def _enrolled(candidate: Candidate) -> CampaignEnrollment:
    campaign = Campaign(name=f"c-{uuid.uuid4().hex[:6]}", segment_query="", state="running")
    db.session.add(campaign)
    db.session.flush()
    enrollment = CampaignEnrollment(campaign_id=campaign.id, candidate_id=candidate.id,
                                    state="active")
    db.session.add(enrollment)
    db.session.commit()
    return enrollment


def test_reply_matched_by_in_reply_to_lands_on_timeline_and_stops_campaigns(
        outreach_app: Flask, ctx: TenantFixture) -> None:
    candidate = make_candidate(status="stalled")
    enrollment = _enrolled(candidate)
    message = queue_message(candidate, make_template(), sender=None, now=NOW)
    db.session.refresh(message)
    reply = _reply(outreach_app.test_client(), ctx.slug,
                   in_reply_to=f"<{message.provider_message_id}>", sender="+15550000000",
                   text="Thanks, I'm still wrapping up the project, maybe next month.")
    assert reply.candidate_id == candidate.id and reply.outbound_id == message.id
    assert reply.text is None  # the words live on the timeline, under the candidate's key
    entries = db.session.scalars(sa.select(Interaction).where(
        Interaction.candidate_id == candidate.id, Interaction.direction == "inbound")).all()
    assert [e.summary for e in entries] == [
        "Thanks, I'm still wrapping up the project, maybe next month."]
    db.session.refresh(enrollment)
    assert enrollment.state == "replied" and enrollment.replied_at is not None
    db.session.refresh(candidate)
    assert candidate.status == "stalled"  # no interest either way
    assert candidate.next_follow_up_on is not None  # note insights ran on the reply


def test_reply_matched_by_sender_blind_index_and_interest_re_engages(
        outreach_app: Flask, ctx: TenantFixture) -> None:
    candidate = make_candidate(status="nurturing")
    phone = candidate.phones[0]
    db.session.commit()
    reply = _reply(outreach_app.test_client(), ctx.slug, sender=phone.replace("+86", "0086 "),
                   text="好的，什么时候方便聊一下？")
    assert reply.candidate_id == candidate.id and reply.interested is True
    db.session.refresh(candidate)
    assert candidate.status == "re_engaged"


def test_unsubscribe_keyword_withdraws_consent(outreach_app: Flask, ctx: TenantFixture) -> None:
    candidate = make_candidate(status="nurturing")
    phone = candidate.phones[0]
    db.session.commit()
    assert contact_permission(candidate, "phone").allowed
    _reply(outreach_app.test_client(), ctx.slug, sender=phone, text="退订")
    db.session.expire_all()
    assert contact_permission(candidate, "phone").reason_code == "withdrawn"
    assert candidate.status == "nurturing"


def test_unknown_sender_is_stored_unmatched_and_nothing_else(
        outreach_app: Flask, ctx: TenantFixture) -> None:
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Interaction))
    reply = _reply(outreach_app.test_client(), ctx.slug, sender="+8613911112222",
                   in_reply_to="<no-such-message@example.com>", text="who is this?")
    assert reply.candidate_id is None and reply.outbound_id is None
    assert reply.text == "who is this?"  # under the tenant key, for admins
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interaction)) == before


@pytest.mark.parametrize(("text", "interest"), [
    ("好的，可以聊", True), ("感兴趣，什么时候方便？", True), ("Yes, sounds good", True),
    ("I'm interested, let's talk", True), ("不考虑了，谢谢", False), ("不用了", False),
    ("No thanks", False), ("I'm not interested", False), ("不感兴趣", False),
    ("收到", None), ("", None),
])
def test_interest_rules(text: str, interest: bool | None) -> None:
    assert read_interest(text) is interest
