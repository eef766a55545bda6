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
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import load_only
from sqlalchemy.orm.attributes import set_committed_value

from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.hooks.manager import HookOutcome, call_optional, implements
from saas.hooks.settings import plugin_settings
from saas.hooks.types import OutgoingMessage, SendResult
from saas.ids import in_ids, new_id
from saas.outreach.facts import OutreachFacts
from saas.outreach.models import OutboundMessage
from saas.outreach.outbox import audit_messages
from saas.outreach.policy import (
    candidate_zone,
    contact_rules,
    parse_quiet_hours,
    quiet_until,
    tenant_policy,
)
from saas.outreach.template_context import unsubscribe_link
from saas.privacy.retention import drop_notices_of
from saas.queue.decisions import lift_dismissals
from saas.tenancy.models import Tenant
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


def claim(message_ids: Sequence[uuid.UUID], now: dt.datetime) -> dict[uuid.UUID, int]:
    """Take the due messages for sending (one UPDATE, committed): the attempt number of
    each one taken; a message not due, already taken or done is left out."""
    if not message_ids:
        return {}
    rows = db.session.execute(sa.update(OutboundMessage).where(
        in_ids(OutboundMessage.id, message_ids),
        OutboundMessage.state.in_(("queued", "scheduled")),
        sa.or_(OutboundMessage.send_after.is_(None), OutboundMessage.send_after <= now),
    ).values(state="sending", attempts=OutboundMessage.attempts + 1, send_after=now + LEASE,
             ).returning(OutboundMessage.id, OutboundMessage.attempts).execution_options(
        synchronize_session=False)).all()
    db.session.commit()
    return {ident: int(attempts) for ident, attempts in rows}


def _finish(message_id: uuid.UUID, claimed: int, **values: Any) -> bool:
    """Leave ``sending`` — only while the claim of attempt ``claimed`` still holds."""
    result = db.session.execute(_by_id(message_id).where(
        OutboundMessage.state == "sending", OutboundMessage.attempts == claimed,
    ).values(**values))
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def _still_claimed(claimed: dict[uuid.UUID, int]) -> set[uuid.UUID]:
    """The messages still held by this worker's claims (locked on PostgreSQL until commit):
    a claim the sweeper freed after its lease is no longer ours to record."""
    stmt = sa.select(OutboundMessage.id, OutboundMessage.attempts).where(
        in_ids(OutboundMessage.id, claimed), OutboundMessage.state == "sending")
    if db.session.connection().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return {ident for ident, attempts in db.session.execute(stmt)
            if claimed.get(ident) == attempts}


def _outgoing(message: OutboundMessage, candidate: Candidate, tenant: Tenant) -> OutgoingMessage:
    headers = {"X-Rekindle-Message-Id": str(message.id)}
    if message.channel == "email":  # List-Unsubscribe, when an absolute link can be made
        link = unsubscribe_link(candidate, message.channel)
        if link.startswith(("https://", "http://")):
            headers["unsubscribe_url"] = link
    return OutgoingMessage(
        message_id=str(message.id), channel=message.channel, to=message.recipient or "",
        body=message.body or "", subject=message.subject,
        locale=candidate.locale or tenant.locale, headers=headers)


def _answer(plugin: str, outcomes: list[HookOutcome]) -> Any:
    """The plugin's answer, or the :class:`SendResult` that stands for its absence."""
    if not outcomes:
        return SendResult("failed", detail=f"{plugin} is not enabled or cannot send")
    outcome = outcomes[0]
    if outcome.error is not None:
        return SendResult("retry", detail=outcome.error)
    return outcome.result


def _send_one(plugin: str, tenant: Tenant, outgoing: OutgoingMessage,
              settings: Mapping[str, Any]) -> SendResult:
    answer = _answer(plugin, call_optional("saas_channel_send", tenant.info(), only=plugin,
                                           message=outgoing, settings=settings))
    if not isinstance(answer, SendResult):
        return SendResult("failed", detail=f"{plugin} gave no answer")
    return answer


def _send_batch(plugin: str, tenant: Tenant, outgoing: list[OutgoingMessage],
                settings: Mapping[str, Any]) -> list[SendResult]:
    answer = _answer(plugin, call_optional("saas_channel_send_batch", tenant.info(),
                                           only=plugin, messages=outgoing, settings=settings))
    if isinstance(answer, SendResult):
        return [answer] * len(outgoing)
    if (not isinstance(answer, Sequence) or len(answer) != len(outgoing)
            or not all(isinstance(result, SendResult) for result in answer)):
        return [SendResult("retry", detail=f"{plugin} answered the batch out of line")
                ] * len(outgoing)
    return list(answer)


def _send_all(messages: list[OutboundMessage], candidates: dict[uuid.UUID, Candidate],
              tenant: Tenant) -> dict[uuid.UUID, SendResult]:
    """Ask each channel's plugin to deliver: by batches when it can, else one by one;
    containment failures count as ``retry``."""
    results: dict[uuid.UUID, SendResult] = {}
    size = int(current_app.config["OUTBOX_SEND_BATCH"])
    for channel in sorted({m.channel for m in messages}):
        plugin = f"channel_{channel}"
        group = [m for m in messages if m.channel == channel]
        outgoing = [_outgoing(m, candidates[m.candidate_id], tenant) for m in group]
        settings = plugin_settings(plugin)
        if implements(plugin, "saas_channel_send_batch"):
            for start in range(0, len(group), size):
                answers = _send_batch(plugin, tenant, outgoing[start:start + size], settings)
                results.update(zip((m.id for m in group[start:start + size]), answers,
                                   strict=True))
        else:
            for message, one in zip(group, outgoing, strict=True):
                results[message.id] = _send_one(plugin, tenant, one, settings)
    return results


def record_on_timeline(messages: Sequence[OutboundMessage],
                       candidates: Mapping[uuid.UUID, Candidate], sent_at: dt.datetime) -> None:
    """The sent messages as outbound interactions (no note insights: these are our words);
    their candidates were contacted at ``sent_at`` (one UPDATE for all of them)."""
    if not messages:
        return
    tenant_id = messages[0].tenant_id
    rows = []
    for message in messages:
        row_id = new_id()
        rows.append({
            "id": row_id, "tenant_id": tenant_id, "candidate_id": message.candidate_id,
            "occurred_at": sent_at, "channel": message.channel, "direction": "outbound",
            "author_id": message.sent_by, "version": 1, "created_at": sent_at,
            "summary_ct": Interaction.summary.sealed(
                message.body or "", table=Interaction.__tablename__, tenant_id=tenant_id,
                row_id=row_id, owner_id=message.candidate_id)})
    db.session.execute(sa.insert(Interaction), rows)
    ids = sorted({m.candidate_id for m in messages})
    db.session.execute(sa.update(Candidate).where(
        in_ids(Candidate.id, ids),
        sa.or_(Candidate.last_contact_at.is_(None), Candidate.last_contact_at < sent_at),
    ).values(last_contact_at=sent_at).execution_options(synchronize_session=False))
    drop_notices_of(db.session(), ids)
    lift_dismissals(ids, sent_at)
    for ident in ids:  # as written, for whoever reads them in this session
        set_committed_value(candidates[ident], "last_contact_at", sent_at)


def _fate(result: SendResult, attempts: int, finished_at: dt.datetime) -> dict[str, Any]:
    """The row's new values after the plugin answered ``result`` to attempt ``attempts``."""
    state = result.status if result.status in ("sent", "retry") else "failed"
    if state == "retry" and attempts >= MAX_ATTEMPTS:
        state = "failed"
    if state == "sent":
        return {"state": "sent", "sent_at": finished_at, "send_after": None,
                "provider_message_id": result.provider_message_id, "last_error": None}
    if state == "retry":
        return {"state": "queued", "sent_at": None, "provider_message_id": None,
                "send_after": finished_at + backoff(attempts, result.retry_after),
                "last_error": result.detail[:500]}
    return {"state": "failed", "sent_at": None, "send_after": None,
            "provider_message_id": result.provider_message_id,
            "last_error": (result.detail or result.status)[:500]}


# What sending reads of a candidate (the rules, the time zone, the language).
SENDER_NEEDS = (Candidate.status, Candidate.timezone, Candidate.locale, Candidate.last_contact_at)
FATE_COLUMNS = ("state", "sent_at", "send_after", "provider_message_id", "last_error")


def _record(fates: dict[uuid.UUID, dict[str, Any]], claimed: dict[uuid.UUID, int],
            tenant_id: uuid.UUID) -> None:
    """Write every fate in one statement (executemany), each under its own claim."""
    if not fates:
        return
    table = OutboundMessage.__table__
    stmt = sa.update(table).where(
        table.c.tenant_id == tenant_id, table.c.id == sa.bindparam("b_id"),
        table.c.state == "sending", table.c.attempts == sa.bindparam("b_attempts"),
    ).values({name: sa.bindparam(f"b_{name}") for name in FATE_COLUMNS})
    db.session.execute(stmt, [
        {"b_id": ident, "b_attempts": claimed[ident],
         **{f"b_{name}": fate[name] for name in FATE_COLUMNS}}
        for ident, fate in fates.items()])


def deliver_many(message_ids: Sequence[uuid.UUID],
                 now: dt.datetime | None = None) -> dict[uuid.UUID, str]:
    """Send the messages that are due and not already taken; what became of each
    (``skipped`` when it was not this call's to send). See the module for the guarantee."""
    moment = now or utcnow()
    outcome = dict.fromkeys(message_ids, "skipped")
    claimed = claim(message_ids, moment)
    if not claimed:
        return outcome
    messages = list(db.session.scalars(
        sa.select(OutboundMessage).where(in_ids(OutboundMessage.id, claimed))))
    candidates = {c.id: c for c in db.session.scalars(
        sa.select(Candidate).where(in_ids(Candidate.id, {m.candidate_id for m in messages}))
        .options(load_only(*SENDER_NEEDS)))}
    facts = OutreachFacts.load(list(candidates.values()), moment, writing=False)
    quiet = parse_quiet_hours(str(tenant_policy(facts.tenant).get("quiet_hours") or ""))
    ready: list[OutboundMessage] = []
    for message in messages:
        candidate = candidates[message.candidate_id]
        blocked = contact_rules(candidate, message.channel, now=moment, facts=facts)
        until = quiet_until(moment, quiet, candidate_zone(candidate, facts.tenant))
        if blocked is not None:
            _finish(message.id, claimed[message.id], state="blocked", policy_code=blocked,
                    send_after=None)
            outcome[message.id] = "blocked"
        elif until is not None:  # a retry landing at night waits for the morning
            _finish(message.id, claimed[message.id], state="scheduled", send_after=until,
                    attempts=claimed[message.id] - 1, policy_code="quiet_hours")
            outcome[message.id] = "scheduled"
        else:
            ready.append(message)
    # No commit before the calls: the claims are committed already, and a commit here
    # would expire every row read, to be read again one by one.
    results = _send_all(ready, candidates, facts.tenant)
    finished_at = max(utcnow(), moment)
    ours = _still_claimed({m.id: claimed[m.id] for m in ready})
    fates = {m.id: _fate(results[m.id], claimed[m.id], finished_at) for m in ready
             if m.id in ours}
    _record(fates, claimed, facts.tenant.id)
    for message in ready:
        for column, value in fates.get(message.id, {}).items():
            set_committed_value(message, column, value)  # as written, without a second UPDATE
        state = fates[message.id]["state"] if message.id in ours else "skipped"
        outcome[message.id] = "retry" if state == "queued" else state
    record_on_timeline([m for m in ready if outcome[m.id] == "sent"], candidates, finished_at)
    audit_messages("outreach.sent", [m for m in ready if outcome[m.id] == "sent"],
                   actor_kind="system")
    audit_messages("outreach.failed", [m for m in ready if outcome[m.id] == "failed"],
                   actor_kind="system")
    db.session.commit()
    log.info("outbound batch of %d: %s", len(message_ids), dict(Counter(outcome.values())))
    return outcome


def deliver(message_id: uuid.UUID, now: dt.datetime | None = None) -> str:
    """Send one message if it is due and not already taken; returns what became of it."""
    return deliver_many([message_id], now)[message_id]


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
