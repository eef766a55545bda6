"""Verifying a trail: walk it by ``seq``, recompute every hash, check every link.

``verify_chain(tenant_id)`` checks one tenant's trail (``None``: the platform
trail) and returns a :class:`VerifyResult` listing every break it finds:

* ``modified``: an event's content no longer matches its hash;
* ``removed``: positions are missing (a gap, or the head is past the last event);
* ``reordered``: an event sits at another position than the one it was written at;
* ``broken_link``: an event does not follow the one before it (that one was replaced);
* ``head``: the trail's head does not match its last event;
* ``unchained``: events without a position written after the chain began.

Events from before the chain existed (no ``seq``, older than the first chained
event) are counted, not reported. Rows are read in batches of ``BATCH`` by
keyset on ``seq``, so a trail of any length needs constant memory.
"""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from flask_babel import gettext as _

from saas.audit.chain import GENESIS, PLATFORM_HEAD_ID, event_hash
from saas.audit.models import (
    AuditChainHead,
    AuditEvent,
    PlatformAuditChainHead,
    PlatformAuditEvent,
)
from saas.audit.service import ActorKind, record
from saas.extensions import db
from saas.tenancy.context import tenant_context

BATCH = 2000
MAX_LISTED = 200  # problems listed per trail; the rest are counted
REORDER_WINDOW = 256  # how far from its position a moved event is looked for

ProblemKind = Literal["modified", "removed", "reordered", "broken_link", "head", "unchained"]


@dataclass(frozen=True)
class ChainProblem:
    kind: ProblemKind
    seq: int | None
    other: int | None = None  # last missing seq (removed), original seq (reordered), count

    def message(self) -> str:
        """The problem in words, in the current language."""
        seq = self.seq or 0
        if self.kind == "modified":
            text = _("Event %(seq)d was changed after it was written: its hash does not match.",
                     seq=seq)
        elif self.kind == "removed" and self.other is not None and self.other != seq:
            text = _("Events %(first)d to %(last)d are missing: they were removed.",
                     first=seq, last=self.other)
        elif self.kind == "removed":
            text = _("Event %(seq)d is missing: it was removed.", seq=seq)
        elif self.kind == "reordered":
            text = _("Event %(seq)d was moved: it was written as event %(original)d.",
                     seq=seq, original=self.other or 0)
        elif self.kind == "broken_link":
            text = _("Event %(seq)d does not follow the event before it: that event was "
                     "replaced or removed.", seq=seq)
        elif self.kind == "head":
            text = _("The end of the trail does not match its last event (%(seq)d): events "
                     "were removed or added at the end.", seq=seq)
        else:
            text = _("%(count)d events have no place in the chain: they were added around it.",
                     count=self.other or 0)
        return str(text)


@dataclass
class VerifyResult:
    tenant_id: uuid.UUID | None
    events: int = 0
    before_chain: int = 0  # events written before the chain existed
    problems: list[ChainProblem] = field(default_factory=list)
    unlisted: int = 0  # problems beyond MAX_LISTED

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unlisted

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.unlisted


def _columns(model: Any) -> list[Any]:
    return [model.seq, model.prev_hash, model.hash, model.occurred_at, model.actor_kind,
            model.actor_id, model.action, model.target_kind, model.target_id, model.outcome,
            model.address, model.detail]


class _Walk:
    """The state of one walk along a trail, row by row in ``seq`` order."""

    def __init__(self, result: VerifyResult) -> None:
        self.result = result
        self.expected = 1
        self.prev_hash = GENESIS
        self.last_seq = 0
        self.after_moved = False

    def report(self, problem: ChainProblem) -> None:
        if len(self.result.problems) < MAX_LISTED:
            self.result.problems.append(problem)
        else:
            self.result.unlisted += 1

    def original_seq(self, row: Any) -> int | None:
        """The position the row's hash was computed for, when it is near its current one."""
        low = max(1, row.seq - REORDER_WINDOW)
        for seq in range(low, row.seq + REORDER_WINDOW + 1):
            if seq != row.seq and event_hash(
                row, tenant_id=self.result.tenant_id, seq=seq, prev_hash=row.prev_hash or ""
            ) == row.hash:
                return seq
        return None

    def step(self, row: Any) -> None:
        self.result.events += 1
        gap = row.seq > self.expected
        if gap:
            self.report(ChainProblem("removed", self.expected, row.seq - 1))
        intact = row.hash == event_hash(
            row, tenant_id=self.result.tenant_id, seq=row.seq, prev_hash=row.prev_hash or ""
        )
        linked = row.prev_hash == self.prev_hash
        original = None
        if not intact:
            listed = len(self.result.problems) < MAX_LISTED
            original = self.original_seq(row) if listed else None
            if original is not None:
                self.report(ChainProblem("reordered", row.seq, original))
            else:
                self.report(ChainProblem("modified", row.seq))
        elif not linked and not gap and not self.after_moved:
            self.report(ChainProblem("broken_link", row.seq))
        # The event after a moved one is expected to point elsewhere: already reported.
        self.after_moved = not intact and original is not None
        self.prev_hash = row.hash or ""
        self.expected = row.seq + 1
        self.last_seq = row.seq

    def finish(self, head: tuple[int, str] | None) -> None:
        last_seq, last_hash = head if head is not None else (0, GENESIS)
        if last_seq > self.last_seq:
            self.report(ChainProblem("removed", self.last_seq + 1, last_seq))
        elif last_seq < self.last_seq or last_hash != self.prev_hash:
            self.report(ChainProblem("head", self.last_seq))


def _head(tenant_id: uuid.UUID | None) -> tuple[int, str] | None:
    """The trail's recorded end: (last seq, last hash), or None before its first event."""
    if tenant_id is not None:
        stmt = sa.select(AuditChainHead.last_seq, AuditChainHead.last_hash)
    else:
        stmt = sa.select(PlatformAuditChainHead.last_seq, PlatformAuditChainHead.last_hash
                         ).where(PlatformAuditChainHead.id == PLATFORM_HEAD_ID)
    row = db.session.execute(stmt).first()
    return (row.last_seq, row.last_hash) if row is not None else None


def verify_chain(tenant_id: uuid.UUID | None) -> VerifyResult:
    """Verify one tenant's trail (``None``: the platform trail). Reads only.

    The head is read first and the walk stops at its position: events appended
    while the walk runs (the app keeps serving) are left for the next check.
    """
    model: Any = AuditEvent if tenant_id is not None else PlatformAuditEvent
    result = VerifyResult(tenant_id=tenant_id)
    walk = _Walk(result)
    with tenant_context(tenant_id) if tenant_id is not None else nullcontext():
        head = _head(tenant_id)
        stmt = sa.select(*_columns(model)).order_by(model.seq).limit(BATCH)
        if head is not None:
            stmt = stmt.where(model.seq <= head[0])
        last = 0
        while True:
            rows = db.session.execute(stmt.where(model.seq > last)).all()
            for row in rows:
                walk.step(row)
            if len(rows) < BATCH:
                break
            last = rows[-1].seq
        walk.finish(head)
        _count_unchained(model, result, walk)
    return result


def _count_unchained(model: Any, result: VerifyResult, walk: _Walk) -> None:
    """Events without ``seq``: fine before the chain began, a problem after."""
    first_chained = db.session.scalar(
        sa.select(model.occurred_at).where(model.seq == 1))
    unchained = sa.select(sa.func.count()).select_from(model).where(model.seq.is_(None))
    total = db.session.scalar(unchained) or 0
    late = 0
    if total and first_chained is not None:
        late = db.session.scalar(unchained.where(model.occurred_at >= first_chained)) or 0
    result.before_chain = total - late
    if late:
        walk.report(ChainProblem("unchained", None, late))


def verify_and_record(tenant_id: uuid.UUID, *, actor_kind: ActorKind,
                      actor_id: uuid.UUID | None) -> VerifyResult:
    """Verify a tenant's trail for someone who asked, and note in the trail that they did.

    The caller commits. The new event joins the trail after the walk, so it
    is not part of the result it records.
    """
    result = verify_chain(tenant_id)
    record("audit.verified", actor_kind=actor_kind, actor_id=actor_id, tenant_id=tenant_id,
           detail={"ok": result.ok, "events": result.events,
                   "problems": result.problem_count})
    return result
