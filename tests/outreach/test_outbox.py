"""The outbox and its send job: idempotency, at most one delivery, backoff, the timeline."""

# The fixtures come from tests/outreach/outbox_support.py (imported below, used as arguments).
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.hooks.settings import configure_plugin
from saas.outreach.models import OutboundMessage
from saas.outreach.outbox import OutreachRefused, get_message, queue_message
from saas.outreach.routing import current_tenant_row
from saas.outreach.sending import LEASE, MAX_ATTEMPTS, _send_all, claim, deliver, sweep
from saas.privacy.consent import record_withdrawal
from saas.queue.decisions import current_decision, dismiss
from saas.tenancy.context import tenant_context
from saas.timeutil import utcnow
from tests.factories import TenantFixture, get_user
from tests.outreach.outbox_support import (  # noqa: F401 (fixtures)
    NOW,
    PhoneChannel,
    StandInProvider,
    ctx,
    make_candidate,
    make_template,
    outreach_app,
    provider,
    set_policy,
)


def _reload(message_id: uuid.UUID) -> OutboundMessage:
    db.session.expire_all()
    found = get_message(message_id)
    assert found is not None
    return found


def test_queued_message_is_sent_once_and_lands_on_the_timeline(
        outreach_app: Flask, ctx: TenantFixture, provider: StandInProvider) -> None:
    sender = get_user(outreach_app, ctx, "recruiter")
    candidate = make_candidate(preferred_channel="phone")
    template = make_template(body="We talked last autumn; the new remote policy is live.")
    message = queue_message(candidate, template, sender=sender, now=NOW)
    sent = _reload(message.id)
    assert sent.state == "sent" and sent.attempts == 1
    assert sent.provider_message_id == f"prov-{message.id}"
    assert sent.routing["rule"] == "preferred" and sent.sent_by == sender.id
    assert list(provider.deliveries) == [str(message.id)]
    entry = db.session.scalars(sa.select(Interaction).where(
        Interaction.candidate_id == candidate.id)).one()
    assert (entry.direction, entry.channel) == ("outbound", "phone")
    assert entry.summary == "We talked last autumn; the new remote policy is live."
    db.session.refresh(candidate)
    assert candidate.last_contact_at == entry.occurred_at


def test_a_message_sent_ends_the_candidates_dismissal(
        ctx: TenantFixture, provider: StandInProvider) -> None:
    candidate = make_candidate(preferred_channel="phone")
    dismiss(candidate, "Not now, asked us to write after the summer", today=utcnow().date())
    db.session.commit()
    assert candidate.queue_hidden_until is not None
    message = queue_message(candidate, make_template(), sender=None, now=NOW)
    assert _reload(message.id).state == "sent"
    db.session.refresh(candidate)
    assert current_decision(candidate.id) is None and candidate.queue_hidden_until is None


def test_same_idempotency_key_twice_is_one_row_and_one_send(
        ctx: TenantFixture, provider: StandInProvider) -> None:
    candidate = make_candidate()
    template = make_template()
    first = queue_message(candidate, template, sender=None, now=NOW)
    second = queue_message(candidate, template, sender=None, now=NOW)
    assert first.id == second.id
    client = queue_message(candidate, make_template(), sender=None, idempotency_key="k-1",
                           now=NOW)
    again = queue_message(candidate, make_template(), sender=None, idempotency_key="k-1",
                          now=NOW)
    assert client.id == again.id
    count = db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMessage).where(
        OutboundMessage.candidate_id == candidate.id))
    assert count == 2
    assert len(provider.deliveries) == 2 and len(provider.requests) == 2


def test_two_send_jobs_at_once_deliver_once(
        outreach_app: Flask, ctx: TenantFixture, provider: StandInProvider) -> None:
    candidate = make_candidate()
    message = queue_message(candidate, make_template(), sender=None, now=NOW, dispatch=False)
    message_id = message.id
    db.session.commit()
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def run() -> None:
        with outreach_app.app_context(), tenant_context(ctx.id):
            start.wait()
            outcomes.append(deliver(message_id))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(provider.requests) == 1 and len(provider.deliveries) == 1
    assert deliver(message.id) == "skipped"  # a retried job later changes nothing


def test_crash_after_the_provider_call_does_not_deliver_twice(
        ctx: TenantFixture, provider: StandInProvider) -> None:
    candidate = make_candidate()
    message = queue_message(candidate, make_template(), sender=None, now=NOW, dispatch=False)
    db.session.commit()
    started = utcnow()
    assert claim([message.id], started) == {message.id: 1}
    # The provider accepted it… and the worker died.
    _send_all([_reload(message.id)], {candidate.id: candidate}, current_tenant_row())
    db.session.rollback()
    assert _reload(message.id).state == "sending"
    assert sweep(started + dt.timedelta(minutes=5)) == []  # the lease still holds
    assert _reload(message.id).state == "sending"
    later = started + LEASE + dt.timedelta(seconds=1)
    assert message.id in sweep(later)
    assert deliver(message.id, later) == "sent"
    assert provider.requests == [str(message.id)] * 2  # asked twice, same key
    assert len(provider.deliveries) == 1  # delivered once
    assert _reload(message.id).attempts == 2


def test_transient_failures_back_off_then_send(
        ctx: TenantFixture, provider: StandInProvider) -> None:
    candidate = make_candidate()
    message = queue_message(candidate, make_template(), sender=None, now=NOW, dispatch=False)
    db.session.commit()
    provider.script[:] = [(500, {}), (429, {"Retry-After": "900"}), (0, {})]
    before = utcnow()
    assert deliver(message.id) == "retry"
    first = _reload(message.id)
    assert (first.state, first.attempts, first.last_error) == ("queued", 1, "HTTP 500")
    first_due = first.send_after
    assert first_due is not None
    assert dt.timedelta(seconds=59) < first_due - before < dt.timedelta(seconds=70)  # 2 × 30 s
    assert deliver(message.id) == "skipped"  # not due yet
    assert deliver(message.id, first_due) == "retry"
    second = _reload(message.id)
    second_due = second.send_after
    assert second_due is not None and second.last_error == "HTTP 429"
    assert second_due - first_due >= dt.timedelta(seconds=900)  # the provider's Retry-After
    assert deliver(message.id, second_due) == "retry"  # the provider stalls: a time-out
    third = _reload(message.id)
    assert third.last_error == "time-out" and third.attempts == 3
    assert third.send_after is not None
    assert third.send_after - second_due >= dt.timedelta(seconds=240)  # 2^3 × 30 s
    assert deliver(message.id, third.send_after) == "sent"
    assert len(provider.deliveries) == 1


def test_attempts_run_out_and_permanent_failures_fail(
        ctx: TenantFixture, provider: StandInProvider) -> None:
    candidate = make_candidate()
    message = queue_message(candidate, make_template(), sender=None, now=NOW, dispatch=False)
    refused = queue_message(candidate, make_template(), sender=None, now=NOW, dispatch=False)
    db.session.commit()
    provider.script[:] = [(503, {})] * MAX_ATTEMPTS
    moment = utcnow()
    for _ in range(MAX_ATTEMPTS):
        deliver(message.id, moment)
        moment = (_reload(message.id).send_after or moment) + dt.timedelta(seconds=1)
    failed = _reload(message.id)
    assert (failed.state, failed.attempts) == ("failed", MAX_ATTEMPTS)
    provider.script[:] = [(400, {})]
    assert deliver(refused.id) == "failed"
    assert _reload(refused.id).last_error == "HTTP 400"
    assert provider.deliveries == {}


def test_blocked_message_is_written_and_never_sent(
        ctx: TenantFixture, provider: StandInProvider) -> None:
    candidate = make_candidate(consent=("email",))
    set_policy(ctx, channel_order=["email"])
    configure_plugin("channel_email", enabled=True, settings={
        "host": "127.0.0.1", "port": 25, "sender": "talent@alpha.example"})
    blocked = queue_message(candidate, make_template(channel="email", subject="x" * 250),
                            sender=None, now=NOW)
    assert (blocked.state, blocked.policy_code) == ("blocked", "subject_too_long")
    no_consent = make_candidate(consent=())
    with pytest.raises(OutreachRefused) as refused:
        queue_message(no_consent, make_template(), sender=None, channel="phone", now=NOW)
    assert refused.value.code == "no_consent"
    assert "no consent for phone" in refused.value.explanation
    assert provider.requests == []


def test_quiet_hours_schedule_and_the_due_job_sends_later(
        ctx: TenantFixture, provider: StandInProvider) -> None:
    set_policy(ctx, quiet_hours="11:00-13:00")  # NOW is 12:00 in Shanghai
    candidate = make_candidate()
    message = queue_message(candidate, make_template(), sender=None, now=NOW)
    assert message.state == "scheduled" and message.policy_code == "quiet_hours"
    assert message.send_after == NOW + dt.timedelta(hours=1)
    assert provider.requests == []
    set_policy(ctx, quiet_hours="")
    due = message.send_after + dt.timedelta(minutes=1)
    assert message.id in sweep(due)
    assert deliver(message.id, due) == "sent"


def test_opt_out_after_queueing_blocks_the_send(
        ctx: TenantFixture, provider: StandInProvider) -> None:
    candidate = make_candidate()
    message = queue_message(candidate, make_template(), sender=None, now=NOW, dispatch=False)
    record_withdrawal(candidate, channel="phone", via="api")
    db.session.commit()
    assert deliver(message.id) == "blocked"
    assert _reload(message.id).policy_code == "opted_out"
    assert provider.requests == [] and PhoneChannel.calls == []
