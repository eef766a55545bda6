"""Sending one outbound message through its channel plugin: at most one delivery per key.

The guarantee, precisely:

1. **Claim.** A worker claims the row with one conditional UPDATE
   (``state IN ('queued','scheduled') AND due`` → ``sending``, ``attempts + 1``,
   ``send_after = now + LEASE``) and commits before calling anyone. Two workers
   (a retried job, a duplicate enqueue) cannot both claim it: the second UPDATE
   matches no row and that worker does nothing.
2. **Call.** The plugin gets ``OutgoingMessage.message_id`` = the message's id,
   the same on every attempt: providers that honour an idempotency key deliver
   once however often they are asked (the e-mail plugin uses it for Message-ID).
3. **Record.** ``sent`` (provider id, ``sent_at``) is written only if the row is
   still this worker's claim (``state = 'sending'`` and the same ``attempts``).
4. **Crash between 2 and 3.** The row stays ``sending``; after its lease
   (``LEASE``, 10 minutes — far beyond the hook time-out) the periodic sweeper
   puts it back to ``queued`` and it is tried again *with the same message id*.
   So a delivery can repeat only if a worker dies after the provider accepted the
   message and before the commit, **and** the provider ignores idempotency keys
   (plain SMTP): that window, and only that one, is at-least-once.

Transient failures (``retry``: 5xx, 429, time-outs, a plugin that raises or hangs)
go back to ``queued`` with exponential backoff (``min(2^attempts × 30 s, 1 h)``, or
the provider's ``retry_after`` when longer) until ``MAX_ATTEMPTS``, then ``failed``.
A permanent failure is ``failed`` with ``last_error`` at once. Before calling the
plugin the person-level rules are checked again (an opt-out since queueing blocks
it) and quiet hours again (a retry landing at night waits for the morning).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

import sqlalchemy as sa

from saas import audit
from saas.candidates.interactions import refresh_last_contact
from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.hooks.manager import call_optional
from saas.hooks.settings import plugin_settings
from saas.hooks.types import OutgoingMessage, SendResult
from saas.ids import new_id
from saas.outreach.models import OutboundMessage
from saas.outreach.policy import (
    candidate_zone,
    contact_rules,
    parse_quiet_hours,
    quiet_until,
    tenant_policy,
)
from saas.outreach.routing import current_tenant_row
from saas.timeutil import utcnow

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(hours=1)
# Queued messages younger than this are left to the job enqueued with them.
GRACE = dt.timedelta(minutes=1)


def backoff(attempts: int, retry_after: float | None = None) -> dt.timedelta:
    """The wait before the next attempt after ``attempts`` tries."""
    delay = min(BASE_DELAY * (2 ** attempts), MAX_DELAY)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, dt.timedelta(seconds=min(retry_after, 86400)))
    return dt.timedelta(seconds=delay.total_seconds())


def _by_id(message_id: uuid.UUID) -> Any:
    return sa.update(OutboundMessage).where(OutboundMessage.id == message_id).execution_options(
        synchronize_session=False)


def claim(message_id: uuid.UUID, now: dt.datetime) -> int | None:
    """Take the message for sending; the attempt number, or ``None`` if not ours to send."""
    result = db.session.execute(_by_id(message_id).where(
        OutboundMessage.state.in_(("queued", "scheduled")),
        sa.or_(OutboundMessage.send_after.is_(None), OutboundMessage.send_after <= now),
    ).values(state="sending", attempts=OutboundMessage.attempts + 1, send_after=now + LEASE))
    db.session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    attempts = db.session.scalar(
        sa.select(OutboundMessage.attempts).where(OutboundMessage.id == message_id))
    return int(attempts or 0)


def _finish(message_id: uuid.UUID, claimed: int, **values: Any) -> bool:
    """Leave ``sending`` — only while the claim of attempt ``claimed`` still holds."""
    result = db.session.execute(_by_id(message_id).where(
        OutboundMessage.state == "sending", OutboundMessage.attempts == claimed,
    ).values(**values))
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def _outcome(message: OutboundMessage, candidate: Candidate) -> SendResult:
    """Ask the channel's plugin to deliver; containment failures count as ``retry``."""
    tenant = current_tenant_row()
    plugin = f"channel_{message.channel}"
    outgoing = OutgoingMessage(
        message_id=str(message.id), channel=message.channel, to=message.recipient or "",
        body=message.body or "", subject=message.subject,
        locale=candidate.locale or tenant.locale,
        headers={"X-Rekindle-Message-Id": str(message.id)})
    outcomes = call_optional("saas_channel_send", tenant.info(), only=plugin,
                             message=outgoing, settings=plugin_settings(plugin))
    if not outcomes:
        return SendResult("failed", detail=f"{plugin} is not enabled or cannot send")
    outcome = outcomes[0]
    if outcome.error is not None:
        return SendResult("retry", detail=outcome.error)
    if not isinstance(outcome.result, SendResult):
        return SendResult("failed", detail=f"{plugin} gave no answer")
    return outcome.result


def record_on_timeline(message: OutboundMessage, candidate: Candidate,
                       sent_at: dt.datetime) -> None:
    """The sent message as an outbound interaction (no note insights: these are our words)."""
    interaction = Interaction(id=new_id(), candidate_id=candidate.id, occurred_at=sent_at,
                              channel=message.channel, direction="outbound",
                              author_id=message.sent_by, version=1)
    interaction.summary = message.body or ""
    db.session.add(interaction)
    db.session.flush()
    refresh_last_contact(candidate)


def _defer_for_quiet_hours(message: OutboundMessage, candidate: Candidate,
                           attempts: int, now: dt.datetime) -> bool:
    tenant = current_tenant_row()
    quiet = parse_quiet_hours(str(tenant_policy(tenant).get("quiet_hours") or ""))
    until = quiet_until(now, quiet, candidate_zone(candidate, tenant))
    if until is None:
        return False
    _finish(message.id, attempts, state="scheduled", send_after=until, attempts=attempts - 1,
            policy_code="quiet_hours")
    return True


def deliver(message_id: uuid.UUID, now: dt.datetime | None = None) -> str:
    """Send one message if it is due and not already taken; returns what became of it."""
    moment = now or utcnow()
    attempts = claim(message_id, moment)
    if attempts is None:
        return "skipped"
    message = db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.id == message_id)).one()
    candidate = db.session.scalars(
        sa.select(Candidate).where(Candidate.id == message.candidate_id)).one()
    blocked = contact_rules(candidate, message.channel, now=moment)
    if blocked is not None:
        _finish(message_id, attempts, state="blocked", policy_code=blocked, send_after=None)
        db.session.commit()
        return "blocked"
    if _defer_for_quiet_hours(message, candidate, attempts, moment):
        db.session.commit()
        return "scheduled"
    result = _outcome(message, candidate)
    finished_at = max(utcnow(), moment)
    state = result.status if result.status in ("sent", "retry") else "failed"
    if state == "retry" and attempts >= MAX_ATTEMPTS:
        state = "failed"
    if state == "sent":
        if _finish(message_id, attempts, state="sent", sent_at=finished_at, send_after=None,
                   provider_message_id=result.provider_message_id, last_error=None):
            record_on_timeline(message, candidate, finished_at)
            audit.record("outreach.sent", actor_kind="system", target_kind="outbound_message",
                         target_id=message_id, detail={"channel": message.channel,
                                                       "attempts": attempts})
    elif state == "retry":
        _finish(message_id, attempts, state="queued", last_error=result.detail[:500],
                send_after=finished_at + backoff(attempts, result.retry_after))
    else:
        _finish(message_id, attempts, state="failed", send_after=None,
                last_error=(result.detail or result.status)[:500])
        audit.record("outreach.failed", actor_kind="system", target_kind="outbound_message",
                     target_id=message_id, detail={"channel": message.channel,
                                                   "attempts": attempts})
    db.session.commit()
    log.info("outbound %s attempt %d: %s", message_id, attempts, state)
    return state


def sweep(now: dt.datetime | None = None, limit: int = 1000) -> list[uuid.UUID]:
    """Free stale claims (a worker died mid-send) and list the messages due now.

    A ``sending`` row whose lease ran out goes back to ``queued`` (or ``failed``
    once its attempts are spent); committed before the caller enqueues.
    """
    moment = now or utcnow()
    stale = sa.and_(OutboundMessage.state == "sending", OutboundMessage.send_after <= moment)
    db.session.execute(sa.update(OutboundMessage).where(
        stale, OutboundMessage.attempts >= MAX_ATTEMPTS).values(
        state="failed", last_error="the worker sending it was lost", send_after=None
    ).execution_options(synchronize_session=False))
    db.session.execute(sa.update(OutboundMessage).where(stale).values(
        state="queued", send_after=moment, last_error="the worker sending it was lost"
    ).execution_options(synchronize_session=False))
    due = db.session.scalars(sa.select(OutboundMessage.id).where(
        OutboundMessage.state.in_(("queued", "scheduled")),
        sa.or_(OutboundMessage.send_after <= moment,
               sa.and_(OutboundMessage.send_after.is_(None),
                       OutboundMessage.created_at <= moment - GRACE)),
    ).order_by(OutboundMessage.send_after).limit(limit)).all()
    db.session.commit()
    return list(due)
