"""Candidates, interactions, offers and tags built straight with the models."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.offers.models import Offer
from saas.tags.models import CandidateTag
from saas.timeutil import utcnow


def days_ago(days: int) -> dt.datetime:
    return utcnow() - dt.timedelta(days=days)


def candidate(name: str = "Lin Yue", **fields: Any) -> Candidate:
    person = Candidate(name=name, **fields)
    db.session.add(person)
    db.session.flush()
    return person


def interaction(person: Candidate, occurred_at: dt.datetime, summary: str,
                quote: str | None = None) -> Interaction:
    note = Interaction(candidate_id=person.id, occurred_at=occurred_at, direction="inbound",
                       channel="wechat")
    note.summary = summary
    if quote:
        note.quote = quote
    db.session.add(note)
    db.session.flush()
    return note


def offer(person: Candidate, *, sent_days_ago: int = 20, due_days_ago: int = 10,
          **fields: Any) -> Offer:
    sent = days_ago(sent_days_ago)
    made = Offer(candidate_id=person.id, sent_at=sent, respond_by=days_ago(due_days_ago),
                 **fields)
    db.session.add(made)
    db.session.flush()
    return made


def reason_tag(person: Candidate, code: str, source: str = "inferred",
               confidence: float | None = None) -> CandidateTag:
    tag = CandidateTag(candidate_id=person.id, dimension="reason", code=code, source=source,
                       confidence=confidence)
    db.session.add(tag)
    db.session.flush()
    return tag


def ids(rows: list[Any]) -> list[uuid.UUID]:
    return [row.id for row in rows]
