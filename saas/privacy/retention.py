"""Retention: erase candidates nobody has talked to for the tenant's retention window.

The tenant's policy ``retention_months`` (absent or ``None``: retention is off)
counts from the candidate's last active contact — ``last_contact_at``, else
``created_at`` when there never was one. Each day (:mod:`saas.privacy.jobs`):

1. **Warn**: every candidate past the window, not on legal hold, not yet erased
   and without a notice gets a :class:`RetentionNotice` with ``erase_on`` =
   today + :data:`WARNING_DAYS`, and ``retention.warned`` is audited for their
   owning recruiter (the candidate page shows a banner, the dashboard a tile).
2. **Erase**: a notice whose ``erase_on`` has come is acted on only if the
   candidate is still eligible (no newer contact, no legal hold, policy still
   on and still past the window); they are erased through
   :func:`saas.privacy.erasure.erase_candidate` with ``cause="retention"``.
   Otherwise the notice is dropped.

A new contact (``last_contact_at`` moving later) drops the notice at once; a
legal hold drops it and suspends retention for the candidate until the hold is
lifted (then the next run warns again, with a fresh 30 days). Everything works
in batches of ids and commits per batch, and a second run on the same day
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from saas import audit
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.ids import in_ids
from saas.insights.follow_up import add_months
from saas.privacy.erasure import erase_candidate
from saas.privacy.models import RetentionNotice
from saas.tenancy.context import require_tenant_id
from saas.tenancy.models import Tenant
from saas.timeutil import utcnow

WARNING_DAYS = 30
BATCH_SIZE = 500
MIN_MONTHS, MAX_MONTHS = 1, 240
_DROPPED = "rekindle_retention_contacted"


@dataclass(frozen=True)
class RetentionRun:
    warned: int = 0
    erased: int = 0
    dropped: int = 0


def retention_months(tenant: Tenant | None) -> int | None:
    """The tenant's window in months (``None``: retention is off)."""
    value = (tenant.policy or {}).get("retention_months") if tenant is not None else None
    return value if isinstance(value, int) and MIN_MONTHS <= value <= MAX_MONTHS else None


def set_retention_months(
    tenant: Tenant, months: int | None, *,
    actor_kind: audit.service.ActorKind, actor_id: uuid.UUID | None,
) -> bool:
    """Change the policy (audited as ``settings.changed``); returns whether it changed."""
    if months is not None and not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ValueError("retention_months out of range")
    before = retention_months(tenant)
    if before == months:
        return False
    tenant.policy = {**(tenant.policy or {}), "retention_months": months}
    audit.record("settings.changed", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="tenant", target_id=tenant.id,
                 detail={"setting": "retention_months", "from": before, "to": months})
    return True


def tenant_today(tenant: Tenant) -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(tenant.timezone or "UTC")).date()


def cutoff_for(today: dt.date, months: int) -> dt.datetime:
    """Contact before this moment (UTC midnight of today minus the window) is too old."""
    return dt.datetime.combine(add_months(today, -months), dt.time(), tzinfo=dt.UTC)


def _last_activity() -> sa.ColumnElement[Any]:
    return sa.func.coalesce(Candidate.last_contact_at, Candidate.created_at)


def _past_window(cutoff: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.or_(Candidate.last_contact_at < cutoff,
                  sa.and_(Candidate.last_contact_at.is_(None), Candidate.created_at < cutoff))


def _eligible() -> sa.ColumnElement[bool]:
    return sa.and_(Candidate.legal_hold_at.is_(None), Candidate.status != "erased")


def warn_due(today: dt.date, cutoff: dt.datetime, *, batch_size: int = BATCH_SIZE) -> int:
    """Give a notice to every eligible candidate past the window that has none."""
    erase_on = today + dt.timedelta(days=WARNING_DAYS)
    noticed = sa.select(RetentionNotice.id).where(
        RetentionNotice.candidate_id == Candidate.id).correlate(Candidate).exists()
    warned, after = 0, None
    while True:
        stmt = (sa.select(Candidate.id, Candidate.owner_id)
                .where(_past_window(cutoff), _eligible(), ~noticed)
                .order_by(Candidate.id).limit(batch_size))
        if after is not None:
            stmt = stmt.where(Candidate.id > after)
        rows = db.session.execute(stmt).all()
        if not rows:
            return warned
        for candidate_id, owner_id in rows:
            db.session.add(RetentionNotice(candidate_id=candidate_id, erase_on=erase_on,
                                           owner_id=owner_id))
            audit.record("retention.warned", target_kind="candidate", target_id=candidate_id,
                         detail={"erase_on": erase_on.isoformat(),
                                 "owner_id": str(owner_id) if owner_id else None})
        warned += len(rows)
        after = rows[-1][0]
        db.session.commit()


def erase_due(
    today: dt.date, cutoff: dt.datetime | None, *, batch_size: int = BATCH_SIZE,
) -> tuple[int, int]:
    """Act on notices whose day has come: erase the still eligible, drop the others.

    ``cutoff`` ``None`` means the policy was turned off: every notice is dropped.
    Returns ``(erased, dropped)``.
    """
    erased = dropped = 0
    after = None
    while True:
        stmt = (sa.select(RetentionNotice).where(RetentionNotice.erase_on <= today)
                .order_by(RetentionNotice.id).limit(batch_size))
        if after is not None:
            stmt = stmt.where(RetentionNotice.id > after)
        notices = list(db.session.scalars(stmt))
        if not notices:
            return erased, dropped
        after = notices[-1].id
        candidates = {c.id: c for c in db.session.scalars(sa.select(Candidate).where(
            Candidate.id.in_([n.candidate_id for n in notices])))}
        for notice in notices:
            candidate = candidates.get(notice.candidate_id)
            db.session.delete(notice)
            db.session.flush()
            if candidate is not None and cutoff is not None and _still_due(candidate, cutoff):
                erase_candidate(candidate, cause="retention", actor_kind="system", actor_id=None)
                erased += 1
            else:
                audit.record("retention.cleared", target_kind="candidate",
                             target_id=notice.candidate_id, detail={"why": "no_longer_due"})
                dropped += 1
        db.session.commit()


def _still_due(candidate: Candidate, cutoff: dt.datetime) -> bool:
    last = candidate.last_contact_at or candidate.created_at
    return (candidate.legal_hold_at is None and candidate.status != "erased"
            and last is not None and last < cutoff)


def drop_stale_notices(cutoff: dt.datetime | None) -> int:
    """Notices of candidates no longer past the window or now on hold (or all, policy off)."""
    stmt = sa.select(RetentionNotice.id)
    if cutoff is not None:
        stale = sa.select(Candidate.id).where(
            sa.or_(~_past_window(cutoff), Candidate.legal_hold_at.is_not(None)))
        stmt = stmt.where(RetentionNotice.candidate_id.in_(stale))
    ids = list(db.session.scalars(stmt))
    for start in range(0, len(ids), BATCH_SIZE):
        db.session.execute(sa.delete(RetentionNotice).where(
            RetentionNotice.id.in_(ids[start:start + BATCH_SIZE])))
    db.session.commit()
    return len(ids)


def run_retention(tenant: Tenant, today: dt.date | None = None) -> RetentionRun:
    """The daily pass for the current tenant (idempotent)."""
    require_tenant_id()
    day = today or tenant_today(tenant)
    months = retention_months(tenant)
    cutoff = cutoff_for(day, months) if months is not None else None
    dropped = drop_stale_notices(cutoff)
    erased, not_due = erase_due(day, cutoff)
    warned = warn_due(day, cutoff) if cutoff is not None else 0
    return RetentionRun(warned=warned, erased=erased, dropped=dropped + not_due)


def notice_of(candidate_id: uuid.UUID) -> RetentionNotice | None:
    return db.session.scalars(sa.select(RetentionNotice).where(
        RetentionNotice.candidate_id == candidate_id)).first()


def notices_count(owner_id: uuid.UUID | None = None) -> int:
    stmt = sa.select(sa.func.count()).select_from(RetentionNotice)
    if owner_id is not None:
        stmt = stmt.where(RetentionNotice.owner_id == owner_id)
    return int(db.session.scalar(stmt) or 0)


def notices_page(limit: int = 200) -> list[tuple[RetentionNotice, Candidate]]:
    """Candidates due for erasure, soonest first."""
    rows = db.session.execute(
        sa.select(RetentionNotice, Candidate)
        .join(Candidate, Candidate.id == RetentionNotice.candidate_id)
        .order_by(RetentionNotice.erase_on, RetentionNotice.id).limit(limit)).all()
    return [(notice, candidate) for notice, candidate in rows]


# --- legal hold -------------------------------------------------------------------------


def set_legal_hold(
    candidate: Candidate, reason: str, *,
    actor_kind: audit.service.ActorKind, actor_id: uuid.UUID | None,
) -> None:
    """Suspend retention for the candidate (the reason is kept, not audited: free text)."""
    was_held = candidate.legal_hold_at is not None
    candidate.legal_hold_at = candidate.legal_hold_at or utcnow()
    candidate.legal_hold_reason = reason
    db.session.execute(sa.delete(RetentionNotice).where(
        RetentionNotice.candidate_id == candidate.id))
    audit.record("legal_hold.changed" if was_held else "legal_hold.set",
                 actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="candidate", target_id=candidate.id)


def clear_legal_hold(
    candidate: Candidate, *, actor_kind: audit.service.ActorKind, actor_id: uuid.UUID | None,
) -> bool:
    """Lift the hold; returns whether there was one."""
    if candidate.legal_hold_at is None:
        return False
    candidate.legal_hold_at = None
    candidate.legal_hold_reason = None
    audit.record("legal_hold.cleared", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="candidate", target_id=candidate.id)
    return True


# --- a new contact drops the notice -----------------------------------------------------


def _note_new_contact(session: Session, _context: Any, _instances: Any) -> None:
    moved: set[uuid.UUID] = session.info.setdefault(_DROPPED, set())
    for obj in session.dirty:
        if isinstance(obj, Candidate):
            history = get_history(obj, "last_contact_at")
            before = (history.deleted or [None])[0]
            after = (history.added or [None])[0]
            if after is not None and (before is None or after > before):
                moved.add(obj.id)


def drop_notices_of(session: Session, candidate_ids: Iterable[uuid.UUID]) -> None:
    """The candidates were just contacted: their retention clocks restart, so any
    warning that they are about to be erased no longer holds."""
    ids = sorted(set(candidate_ids))
    if ids:
        session.execute(sa.delete(RetentionNotice).where(in_ids(RetentionNotice.candidate_id, ids)))


def _drop_notices_of_contacted(session: Session, _context: Any) -> None:
    drop_notices_of(session, session.info.pop(_DROPPED, set()))


if not event.contains(Session, "before_flush", _note_new_contact):
    event.listen(Session, "before_flush", _note_new_contact)
    event.listen(Session, "after_flush_postexec", _drop_notices_of_contacted)
