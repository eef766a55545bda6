"""The re-engagement queue: who to contact now, ranked, each with the reasons in words.

One SQL query scores every candidate of the recruiter (or of the whole tenant)
with the registered reasons (:mod:`saas.queue.reasons`) and keeps those with a
score above 0. It leaves out:

* status ``do_not_contact``, ``erased``, ``hired`` and ``declined``;
* anyone contacted within the tenant's policy window
  (``policy.recontact_after_days``, default 30 days);
* anyone with a snooze or dismissal still in force (:mod:`saas.queue.decisions`).

Order: score (the sum of the reasons' points, capped at 100) descending, then
the oldest last contact first (never contacted before anyone), then id. Pages
are cut by a keyset cursor on exactly that order. Only the candidates on the
page are loaded and explained: one more query reads them with each reason's
points, and each reason puts its own into words.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import operator
import uuid
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

from saas.candidates.models import Candidate
from saas.extensions import db
from saas.queue import builtin_reasons  # noqa: F401  (registers the built-in reasons)
from saas.queue.decisions import in_queue_on
from saas.queue.reasons import MAX_SCORE, QueueContext, queue_reasons
from saas.tenancy.context import require_tenant_id
from saas.tenancy.models import Tenant
from saas.timeutil import UTCDateTime, utcnow

LEFT_OUT_STATUSES = ("do_not_contact", "erased", "hired", "declined")
DEFAULT_RECONTACT_AFTER_DAYS = 30
NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class BadCursor(ValueError):
    """The cursor was not one this queue handed out."""


@dataclass(frozen=True)
class QueueReasonText:
    code: str
    text: str
    weight: int


@dataclass(frozen=True)
class QueueEntry:
    candidate: Candidate
    score: int
    reasons: list[QueueReasonText] = field(default_factory=list)


@dataclass(frozen=True)
class QueuePage:
    entries: list[QueueEntry]
    next_cursor: str | None


def recontact_after_days(tenant: Tenant | None) -> int:
    """The tenant's policy window in days (``recontact_after_days``, default 30)."""
    value = (tenant.policy or {}).get("recontact_after_days") if tenant is not None else None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return DEFAULT_RECONTACT_AFTER_DAYS


def queue_context(now: dt.datetime | None = None) -> QueueContext:
    """The current tenant's today (in its time zone), now and policy window."""
    now = now or utcnow()
    tenant = db.session.get(Tenant, require_tenant_id())
    try:
        zone = zoneinfo.ZoneInfo(tenant.timezone if tenant is not None else "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return QueueContext(today=now.astimezone(zone).date(), now=now,
                        recontact_after_days=recontact_after_days(tenant))


def _encode_cursor(score: int, contact: dt.datetime, candidate_id: uuid.UUID) -> str:
    raw = json.dumps([score, contact.isoformat(), str(candidate_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, dt.datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        score, contact, candidate_id = json.loads(raw)
        moment = dt.datetime.fromisoformat(contact)
        if not isinstance(score, int) or moment.tzinfo is None:
            raise ValueError(cursor)
        return score, moment, uuid.UUID(candidate_id)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise BadCursor("Not a cursor returned by the queue.") from exc


class Least(sa.sql.functions.GenericFunction[int]):
    """The smaller of two integers: ``least`` on PostgreSQL, ``min`` on SQLite."""

    name = "least"
    inherit_cache = True


@compiles(Least, "sqlite")
def _least_sqlite(element: Least, compiler: Any, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


def _eligible(ctx: QueueContext, owner_id: uuid.UUID | None) -> list[sa.ColumnElement[bool]]:
    window_start = ctx.now - dt.timedelta(days=ctx.recontact_after_days)
    where = [Candidate.status.not_in(LEFT_OUT_STATUSES),
             sa.or_(Candidate.last_contact_at.is_(None), Candidate.last_contact_at < window_start),
             in_queue_on(ctx.today)]
    if owner_id is not None:
        where.append(Candidate.owner_id == owner_id)
    return where


def _scored(ctx: QueueContext, owner_id: uuid.UUID | None,
            points: list[sa.ColumnElement[Any]]) -> sa.Subquery:
    """Every eligible candidate's id, contact time and score (capped), in one scan.

    Only the score is computed here; which reasons make it up is asked again for
    the page's few candidates (:func:`_explain`). ``OFFSET 0`` keeps PostgreSQL
    from pulling the subquery up, which would compute the score once for the
    filter and again for the order, and needs no materialized copy of the rows.
    """
    total = functools.reduce(operator.add, points[1:], points[0]) if points else sa.literal(0)
    contact = sa.func.coalesce(Candidate.last_contact_at, sa.literal(NEVER, UTCDateTime()))
    return (sa.select(Candidate.id, contact.label("contact"),
                      Least(total, MAX_SCORE).label("score"))
            .where(*_eligible(ctx, owner_id)).offset(0).subquery("scored"))


def rank_queue(
    ctx: QueueContext, *, owner_id: uuid.UUID | None, limit: int = 50, cursor: str | None = None,
) -> QueuePage:
    """One page of the queue (``owner_id=None``: every owner's candidates)."""
    points = [reason.points(ctx) for reason in queue_reasons()]
    scored = _scored(ctx, owner_id, points)
    score = scored.c.score
    stmt = sa.select(scored.c.id, scored.c.contact, score).where(score > 0)
    if cursor:
        last_score, last_contact, last_id = decode_cursor(cursor)
        stmt = stmt.where(sa.or_(
            score < last_score,
            sa.and_(score == last_score, scored.c.contact > last_contact),
            sa.and_(score == last_score, scored.c.contact == last_contact,
                    scored.c.id > last_id),
        ))
    stmt = stmt.order_by(score.desc(), scored.c.contact, scored.c.id).limit(limit + 1)
    rows = list(db.session.execute(stmt).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode_cursor(int(last.score), last.contact, last.id)
    return QueuePage(_explain(ctx, rows, points), next_cursor)


def _explain(ctx: QueueContext, rows: list[sa.Row[Any, Any, Any]],
             points: list[sa.ColumnElement[Any]]) -> list[QueueEntry]:
    """The page's candidates, each with the reasons that gave them points, in words."""
    if not rows:
        return []
    reasons = queue_reasons()
    found = {candidate.id: (candidate, [int(p) for p in weights]) for candidate, *weights in
             db.session.execute(sa.select(Candidate, *points)
                                .where(Candidate.id.in_([row.id for row in rows])))}
    shown = [found[row.id] for row in rows if row.id in found]  # deleted since: left out
    texts: dict[str, Any] = {}
    for i, reason in enumerate(reasons):
        applying = [candidate for candidate, weights in shown if weights[i]]
        texts[reason.code] = reason.describe(ctx, applying) if applying else {}
    entries: list[QueueEntry] = []
    for row in rows:
        if row.id not in found:
            continue
        candidate, weights = found[row.id]
        said = [QueueReasonText(reason.code, texts[reason.code].get(row.id, ""), weight)
                for reason, weight in zip(reasons, weights, strict=True) if weight]
        said.sort(key=lambda r: -r.weight)
        entries.append(QueueEntry(candidate, int(row.score), said))
    return entries
