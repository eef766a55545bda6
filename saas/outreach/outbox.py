"""The outbox: render, route and check a message, then write it down before sending.

:func:`queue_message` is the one way a message to a candidate starts — from the
compose page, the API, a campaign step or an automation. It renders the template
(the version for the routed channel and the candidate's language), routes it,
applies the contact policy and writes an :class:`OutboundMessage` with an
idempotency key: ``queued`` (the send job is enqueued), ``scheduled`` (quiet
hours: sent when they end) or ``blocked`` (the policy code says why). The same
key twice returns the message already written: one row, one send. A blocked
message was never sent, so asking again with its key looks again (consent may
have been recorded since) and updates that row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from saas import audit
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.ids import new_id
from saas.outreach.facts import OutreachFacts
from saas.outreach.models import OutboundMessage, Template
from saas.outreach.policy import PolicyDecision, check_policy, policy_text
from saas.outreach.routing import RoutingDecision, address_for, choose_channel
from saas.timeutil import utcnow

MAX_KEY = 128


class OutreachRefused(Exception):
    """Nothing can be sent at all (no usable channel); no message is written."""

    def __init__(self, code: str, explanation: str, routing: RoutingDecision) -> None:
        super().__init__(code)
        self.code = code
        self.explanation = explanation
        self.routing = routing


class IdempotencyConflict(Exception):
    """An idempotency key already used for a different candidate or template."""

    def __init__(self, existing: OutboundMessage) -> None:
        super().__init__("idempotency key reused for a different message")
        self.existing = existing


@dataclass(frozen=True)
class OutreachPlan:
    """What sending would do now: routing, the rendered message, the policy's answer."""

    routing: RoutingDecision
    template: Template | None
    subject: str | None
    body: str | None
    content_hash: str | None
    policy: PolicyDecision
    problems: tuple[tuple[str, str], ...] = ()

    @property
    def state(self) -> str:
        if not self.policy.allowed:
            return "blocked"
        return "scheduled" if self.policy.send_after is not None else "queued"


def content_hash(subject: str | None, body: str) -> str:
    """SHA-256 of what the candidate reads (the same words on any channel are the same)."""
    return hashlib.sha256(f"{subject or ''}\x1f{body}".encode()).hexdigest()


def default_idempotency_key(candidate_id: uuid.UUID, template: Template,
                            campaign_id: uuid.UUID | None, step: int | None,
                            day: dt.date) -> str:
    """One message per candidate, template (by name), campaign step and day."""
    parts = [str(candidate_id), template.name, str(campaign_id or "manual"), str(step or 0),
             day.isoformat()]
    return "auto:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def pick_version(template: Template, versions: Iterable[Template], channel: str,
                 locale: str) -> Template | None:
    """The version for ``channel``: the one asked for if it fits, else the candidate's
    language, else any language."""
    fitting = [t for t in versions if t.channel == channel]
    if template.channel == channel and (template.locale == locale or not any(
            t.locale == locale for t in fitting)):
        return template
    return next((t for t in fitting if t.locale == locale), fitting[0] if fitting else None)


def _problems(rendered: Any) -> tuple[tuple[str, str], ...]:
    """``(code, message)`` of each rendering problem (over a limit, a missing variable)."""
    return tuple((str(getattr(p, "code", "render_failed")), str(getattr(p, "message", p)))
                 for p in (getattr(rendered, "problems", None) or ()))


def refusal_code(candidate: Candidate, routing: RoutingDecision) -> str:
    """Why nothing can be sent, as one code: the candidate's status, the asked-for
    channel's problem, consent when consent is all that is missing, else ``no_channel``."""
    if candidate.status in ("erased", "do_not_contact"):
        return candidate.status
    requested = routing.record.get("requested")
    whys: list[str] = [str(s["why"]) for s in routing.record.get("skipped", [])
                       if not requested or s["channel"] == requested]
    if whys and set(whys) <= {"no_consent", "opted_out"}:
        return "opted_out" if set(whys) == {"opted_out"} else "no_consent"
    if len(whys) == 1:
        return {"not_enabled": "channel_not_enabled"}.get(whys[0], whys[0])
    return "no_channel"


def plan_message(candidate: Candidate, template: Template, *, sender: Any,
                 channel: str | None = None, now: dt.datetime,
                 facts: OutreachFacts | None = None) -> OutreachPlan:
    """Route, render and check one message without writing anything (the preview);
    ``facts``: the batch's (see :mod:`saas.outreach.facts`), read here when not given."""
    from saas.outreach.rendering import render_message

    facts = facts or OutreachFacts.load([candidate], now)
    versions = facts.versions(template)
    routing = choose_channel(candidate, requested=channel,
                             available={t.channel for t in versions}, now=now, facts=facts)
    if routing.channel is None:
        code = refusal_code(candidate, routing)
        return OutreachPlan(routing, None, None, None, None,
                            PolicyDecision(False, code, None, routing.explanation))
    locale = candidate.locale or facts.tenant.locale
    version = pick_version(template, versions, routing.channel, locale)
    assert version is not None  # routing only offers channels with a version
    rendered = render_message(version, candidate, sender=sender, now=now, facts=facts)
    digest = content_hash(rendered.subject, rendered.body)
    problems = _problems(rendered)
    if problems:
        code = problems[0][0][:30]
        decision = PolicyDecision(False, code, None, " ".join(
            [policy_text(code), *(message for _code, message in problems)]))
    else:
        decision = check_policy(candidate, routing.channel, content_hash=digest, now=now,
                                facts=facts)
    return OutreachPlan(routing, version, rendered.subject, rendered.body, digest, decision,
                        problems)


def find_by_key(key: str) -> OutboundMessage | None:
    return db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.idempotency_key == key)).first()


def get_message(message_id: uuid.UUID) -> OutboundMessage | None:
    return db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.id == message_id)).first()


def _fill(message: OutboundMessage, candidate: Candidate, plan: OutreachPlan) -> None:
    assert plan.routing.channel is not None and plan.template is not None
    message.channel = plan.routing.channel
    message.template_id = plan.template.id
    message.routing = plan.routing.record
    message.state = plan.state
    message.policy_code = plan.policy.code
    message.send_after = plan.policy.send_after
    message.content_hash = plan.content_hash or ""
    message.last_error = None
    message.subject = plan.subject
    message.body = plan.body
    message.recipient = address_for(candidate, plan.routing.channel)


@dataclass(frozen=True)
class MessageRequest:
    """One message to write: to ``candidate`` from ``template`` (its version for the
    routed channel and the candidate's language) under ``idempotency_key``."""

    candidate: Candidate
    template: Template
    idempotency_key: str
    channel: str | None = None
    step: int | None = None


QueueResult = OutboundMessage | OutreachRefused | IdempotencyConflict


def queue_messages(
    requests: Sequence[MessageRequest],
    *,
    sender: Any,
    campaign_id: uuid.UUID | None = None,
    now: dt.datetime | None = None,
    actor_kind: audit.service.ActorKind = "user",
) -> list[QueueResult]:
    """Write the messages (queued, scheduled or blocked), one result per request.

    The facts about every candidate are read once for the batch, the new rows are
    inserted together and one audit event tells what was written. A request whose
    key is already taken gets the message written before (or an
    :class:`IdempotencyConflict` when that one is for another candidate or campaign);
    one no channel can reach gets an :class:`OutreachRefused` and no row. Adds to the
    session and flushes; the caller commits and then calls :func:`dispatch_messages`.
    """
    if not requests:
        return []
    moment = now or utcnow()
    keys = [r.idempotency_key for r in requests]
    taken: dict[str, OutboundMessage] = {m.idempotency_key: m for m in db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.idempotency_key.in_(keys)))}
    facts = OutreachFacts.load([r.candidate for r in requests], moment)
    sender_id = getattr(sender, "id", None)
    results: list[QueueResult] = []
    written: dict[str, OutboundMessage] = {}
    for request in requests:
        candidate = request.candidate
        existing = taken.get(request.idempotency_key)
        if existing is not None:
            if existing.candidate_id != candidate.id or existing.campaign_id != campaign_id:
                results.append(IdempotencyConflict(existing))
                continue
            if existing.state != "blocked":
                results.append(existing)
                continue
        plan = plan_message(candidate, request.template, sender=sender,
                            channel=request.channel, now=moment, facts=facts)
        if plan.routing.channel is None:
            results.append(OutreachRefused(plan.policy.code or "no_channel",
                                           plan.routing.explanation, plan.routing))
            continue
        message = existing or OutboundMessage(
            id=new_id(), tenant_id=facts.tenant.id, candidate_id=candidate.id,
            idempotency_key=request.idempotency_key, campaign_id=campaign_id,
            campaign_step=request.step, attempts=0, sent_by=sender_id, created_at=moment)
        _fill(message, candidate, plan)
        if message.state != "blocked":
            facts.add_recent(candidate.id, message.id, message.content_hash)
        written[request.idempotency_key] = message
        taken[request.idempotency_key] = message
        results.append(message)
    raced = _insert([m for m in written.values() if sa.inspect(m).transient])
    results = [raced.get(r.idempotency_key, r) if isinstance(r, OutboundMessage) else r
               for r in results]
    audit_messages("outreach.queued", [m for key, m in written.items() if key not in raced],
                   actor_kind=actor_kind if sender_id else "system", actor_id=sender_id,
                   campaign_id=campaign_id)
    return results


def _insert(messages: list[OutboundMessage]) -> dict[str, OutboundMessage]:
    """Insert the new messages in one statement. When another writer took some of their
    keys meanwhile, theirs stand: returns those, by key (ours are dropped)."""
    if not messages:
        return {}
    try:
        with db.session.begin_nested():
            db.session.add_all(messages)
        return {}
    except IntegrityError:
        pass
    raced: dict[str, OutboundMessage] = {}
    for message in messages:
        try:
            with db.session.begin_nested():
                db.session.add(message)
        except IntegrityError:
            theirs = find_by_key(message.idempotency_key)
            if theirs is None:
                raise
            raced[message.idempotency_key] = theirs
    return raced


def audit_messages(action: str, messages: Sequence[OutboundMessage], *,
                   actor_kind: audit.service.ActorKind, actor_id: uuid.UUID | None = None,
                   campaign_id: uuid.UUID | None = None) -> None:
    """One audit event about one message (the compose page), or one ``<action>_batch``
    event about many (a campaign step): counts by state and channel, never content."""
    if len(messages) == 1:
        message = messages[0]
        audit.record(action, actor_kind=actor_kind, actor_id=actor_id,
                     target_kind="outbound_message", target_id=message.id,
                     detail={"candidate_id": str(message.candidate_id),
                             "channel": message.channel, "state": message.state,
                             "attempts": message.attempts,
                             "policy_code": message.policy_code,
                             "campaign_id": str(message.campaign_id)
                             if message.campaign_id else None})
    elif messages:
        campaign_id = campaign_id or messages[0].campaign_id
        audit.record(f"{action}_batch", actor_kind=actor_kind, actor_id=actor_id,
                     target_kind="campaign" if campaign_id else None, target_id=campaign_id,
                     detail={"messages": len(messages),
                             "states": dict(Counter(m.state for m in messages)),
                             "channels": dict(Counter(m.channel for m in messages))})


def queue_message(
    candidate: Candidate,
    template: Template,
    *,
    sender: Any,
    channel: str | None = None,
    campaign_id: uuid.UUID | None = None,
    step: int | None = None,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
    dispatch: bool = True,
    actor_kind: audit.service.ActorKind = "user",
) -> OutboundMessage:
    """Write one message (queued, scheduled or blocked) and start its send job.

    ``sender`` is the user writing (``None`` for automations). With ``dispatch``
    (the default) the message is committed and its send job enqueued; without, the
    caller commits and dispatches (many messages: :func:`queue_messages`). Raises
    :class:`OutreachRefused` when no channel can reach the candidate and
    :class:`IdempotencyConflict` when the key belongs to another message.
    """
    moment = now or utcnow()
    key = idempotency_key or default_idempotency_key(
        candidate.id, template, campaign_id, step, moment.date())
    [result] = queue_messages([MessageRequest(candidate, template, key, channel, step)],
                              sender=sender, campaign_id=campaign_id, now=moment,
                              actor_kind=actor_kind)
    if isinstance(result, Exception):
        raise result
    if dispatch:
        db.session.commit()
        dispatch_messages([result])
    return result


def dispatch_messages(messages: Iterable[OutboundMessage]) -> None:
    """Enqueue the send job of each committed queued or scheduled message."""
    from saas.jobs import enqueue
    from saas.outreach.jobs import send_message

    for message in messages:
        if message.state not in ("queued", "scheduled"):
            continue
        ident, tenant_id = message.id, message.tenant_id
        enqueue(send_message, tenant_id, str(ident), job_id=f"outbox-send-{ident}-0",
                at=message.send_after if message.state == "scheduled" else None)


def message_document(message: OutboundMessage, *, with_content: bool) -> dict[str, Any]:
    """A message as the API and the pages show it; words in the reader's language."""
    from saas.outreach.routing import explain

    routing = dict(message.routing or {})
    routing["explanation"] = explain(routing) if routing else ""
    code = message.policy_code
    document: dict[str, Any] = {
        "id": message.id, "candidate_id": message.candidate_id,
        "template_id": message.template_id, "campaign_id": message.campaign_id,
        "campaign_step": message.campaign_step, "channel": message.channel,
        "state": message.state, "routing": routing,
        "policy": {"allowed": message.state != "blocked", "code": code,
                   "explanation": policy_text(code) if code or message.state != "blocked"
                   else ""},
        "attempts": message.attempts, "last_error": message.last_error,
        "send_after": message.send_after, "created_at": message.created_at,
        "sent_at": message.sent_at, "delivered_at": message.delivered_at,
    }
    if with_content:
        document["subject"] = message.subject
        document["body"] = message.body
    return document
