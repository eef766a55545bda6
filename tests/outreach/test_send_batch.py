"""Sending through a channel plugin that takes batches (``saas_channel_send_batch``).

The test channel of the other outbox tests, plus the batch hook: it sends each message
of the batch to the stand-in provider and can be told to answer out of line (one
result short) or to raise. The outbox must hand a whole send batch over in one call,
record every fate, and treat an answer it cannot line up — or a plugin that raises —
as a transient failure of every message (nothing marked sent, sent again later under
the same ids, so the provider still delivers each once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.hooks import OutgoingMessage, SendResult, hookimpl
from saas.outreach.models import OutboundMessage
from saas.outreach.outbox import queue_message
from saas.outreach.sending import deliver_many
from saas.tenancy.context import tenant_context
from saas.tenancy.models import TenantInfo
from tests.factories import TenantFixture
from tests.outreach.outbox_support import (
    NOW,
    PhoneChannel,
    StandInProvider,
    app_with_phone_channel,
    enable_phone,
    make_candidate,
    make_template,
    set_policy,
)


class BatchPhoneChannel(PhoneChannel):
    """The test channel with a batch send; ``mode``: ``ok``, ``short`` or ``raise``."""

    mode: ClassVar[str] = "ok"
    batches: ClassVar[list[int]] = []

    @hookimpl
    def saas_channel_send_batch(self, tenant: TenantInfo, messages: Sequence[OutgoingMessage],
                                settings: Mapping[str, Any]) -> list[SendResult]:
        BatchPhoneChannel.batches.append(len(messages))
        if BatchPhoneChannel.mode == "raise":
            raise RuntimeError("the provider's SDK failed")
        results = [self.saas_channel_send(tenant, m, settings) for m in messages]
        return results[:-1] if BatchPhoneChannel.mode == "short" else results


@pytest.fixture(scope="module")
def batch_provider() -> Iterator[StandInProvider]:
    stand_in = StandInProvider()
    yield stand_in
    stand_in.close()


@pytest.fixture(scope="module")
def batch_app(app: Flask, database_urls: tuple[str, str]) -> Flask:
    return app_with_phone_channel(app, database_urls, BatchPhoneChannel())


@pytest.fixture()
def batch_ctx(batch_app: Flask, tenant_a: TenantFixture,
              batch_provider: StandInProvider) -> Iterator[TenantFixture]:
    batch_provider.reset()
    BatchPhoneChannel.batches.clear()
    BatchPhoneChannel.mode = "ok"
    with batch_app.app_context(), tenant_context(tenant_a.id):
        set_policy(tenant_a)
        enable_phone(batch_provider)
        db.session.commit()
        yield tenant_a


def _queue(count: int) -> list[OutboundMessage]:
    template = make_template()
    messages = [queue_message(make_candidate(f"Batch Person {n}", preferred_channel="phone"),
                              template, sender=None, now=NOW, dispatch=False)
                for n in range(count)]
    db.session.commit()
    return messages


def _states(ids: list[Any]) -> dict[Any, OutboundMessage]:
    db.session.expire_all()
    return {m.id: m for m in db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.id.in_(ids)))}


def test_a_send_batch_is_one_call_and_every_fate_is_recorded(
        batch_ctx: TenantFixture, batch_provider: StandInProvider) -> None:
    queued = _queue(3)
    ids = [m.id for m in queued]
    assert deliver_many(ids, NOW) == dict.fromkeys(ids, "sent")
    assert BatchPhoneChannel.batches == [3]  # not three single sends
    assert sorted(batch_provider.deliveries) == sorted(str(i) for i in ids)
    rows = _states(ids)
    assert {(m.state, m.attempts, m.provider_message_id) for m in rows.values()} == {
        ("sent", 1, f"prov-{i}") for i in ids}
    timeline = db.session.scalars(sa.select(Interaction).where(
        Interaction.candidate_id.in_([m.candidate_id for m in queued]))).all()
    assert len(timeline) == 3 and {t.direction for t in timeline} == {"outbound"}
    assert {t.summary for t in timeline} == {queued[0].body}
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action.in_(("outreach.sent", "outreach.sent_batch"))).order_by(
        AuditEvent.seq.desc()).limit(1)).all()
    assert events[0].action == "outreach.sent_batch"
    assert events[0].detail["messages"] == 3
    # A second run finds nothing to send.
    assert deliver_many(ids, NOW) == dict.fromkeys(ids, "skipped")
    assert BatchPhoneChannel.batches == [3]


@pytest.mark.parametrize("mode", ["short", "raise"])
def test_an_answer_out_of_line_or_a_raise_retries_every_message(
        batch_ctx: TenantFixture, batch_provider: StandInProvider, mode: str) -> None:
    BatchPhoneChannel.mode = mode
    ids = [m.id for m in _queue(3)]
    assert deliver_many(ids, NOW) == dict.fromkeys(ids, "retry")
    rows = _states(ids)
    assert {m.state for m in rows.values()} == {"queued"}
    assert all(m.send_after is not None and m.send_after > NOW and m.last_error
               for m in rows.values())
    assert not db.session.scalars(sa.select(Interaction).where(
        Interaction.candidate_id.in_([m.candidate_id for m in rows.values()]))).all()
    # After the backoff the same ids go again: the provider delivers each one once.
    BatchPhoneChannel.mode = "ok"
    later = NOW + dt.timedelta(hours=1)
    assert deliver_many(ids, later) == dict.fromkeys(ids, "sent")
    assert sorted(batch_provider.deliveries) == sorted(str(i) for i in ids)
    assert {m.attempts for m in _states(ids).values()} == {2}
