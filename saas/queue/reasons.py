"""The registry of queue reasons: why a candidate is worth contacting now.

A reason is two functions. ``points`` is a SQL expression over ``Candidate``
(correlated subqueries allowed) that is the reason's score contribution, 0 when
it does not apply; the queue adds every reason's points in one query, so it
stays fast on a million candidates. ``describe`` says it in words, in the
request's language, for the few candidates on the page being shown (it may
read more rows, in one batch). A later capability adds its reason with one call::

    from saas.queue.reasons import QueueReason, add_queue_reason, points_when

    add_queue_reason(QueueReason(
        code="open_to_work",
        points=lambda ctx: points_when(has_recent_signal("open_to_work", ctx), 35),
        describe=lambda ctx, candidates: {c.id: _("Open-to-work signal") for c in candidates},
    ))

Codes are unique; adding a code again replaces the earlier reason.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from saas.candidates.models import Candidate

MAX_SCORE = 100


@dataclass(frozen=True)
class QueueContext:
    """What every reason may depend on: the tenant's today and now, and its policy."""

    today: dt.date
    now: dt.datetime
    recontact_after_days: int = 30


Points = Callable[[QueueContext], sa.ColumnElement[Any]]
Describe = Callable[[QueueContext, Sequence[Candidate]], Mapping[uuid.UUID, str]]


@dataclass(frozen=True)
class QueueReason:
    code: str
    points: Points
    describe: Describe


_REASONS: dict[str, QueueReason] = {}


def add_queue_reason(reason: QueueReason) -> None:
    """Register (or replace, by code) a reason the queue scores and explains."""
    _REASONS[reason.code] = reason


def queue_reasons() -> list[QueueReason]:
    """Every registered reason, in registration order."""
    return list(_REASONS.values())


def points_when(condition: sa.ColumnElement[bool], weight: int) -> sa.ColumnElement[Any]:
    """``weight`` points where ``condition`` holds, else 0."""
    return sa.case((condition, weight), else_=0)
