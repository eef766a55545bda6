"""The stalled-offer sweep: unanswered past ``respond_by`` becomes ``stalled``, never declined.

For each ``pending`` offer whose ``respond_by`` has passed (in the current tenant):

* the offer becomes ``stalled`` with ``stalled_at``;
* it gets one primary reason: a reason a person already set on the offer, else
  the candidate's manual reason tag, else the inferred reason tag with the
  highest confidence, else ``unknown`` (``reason_source`` says which);
* its candidate becomes ``stalled`` when they are ``active`` or ``offered``.
  A candidate already further along (``nurturing``, ``re_engaged``,
  ``interviewing``, ``hired``), who ``declined`` another offer, asked not to be
  contacted or was erased keeps their status; ``stalled`` stays ``stalled``.

It works in batches of ids (never loading every offer at once), commits each
batch, and is idempotent: a second run finds nothing left to stall.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from saas import audit
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.offers.models import Offer
from saas.tags.models import CandidateTag

BATCH_SIZE = 500
STALLABLE_CANDIDATE_STATUSES = ("active", "offered")


def candidate_reasons(candidate_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    """Each candidate's primary reason from their tags: ``{id: (code, source)}``.

    Manual beats inferred; among inferred tags the highest confidence wins (then
    the newest). Candidates without a reason tag are absent.
    """
    ids = list(set(candidate_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(CandidateTag.candidate_id, CandidateTag.code, CandidateTag.source,
                  CandidateTag.confidence, CandidateTag.created_at)
        .where(CandidateTag.dimension == "reason", CandidateTag.candidate_id.in_(ids),
               CandidateTag.source.in_(("manual", "inferred")))
    ).all()
    best: dict[uuid.UUID, tuple[tuple[int, float, dt.datetime], str, str]] = {}
    for candidate_id, code, source, confidence, created_at in rows:
        rank = (1 if source == "manual" else 0, confidence or 0.0, created_at)
        if candidate_id not in best or rank > best[candidate_id][0]:
            best[candidate_id] = (rank, code, source)
    return {cid: (code, source) for cid, (_rank, code, source) in best.items()}


def stall_offers(offers: Sequence[Offer], now: dt.datetime) -> None:
    """Stall these (pending, overdue) offers and their candidates; flushes, no commit."""
    reasons = candidate_reasons(o.candidate_id for o in offers if o.reason_source != "manual")
    for offer in offers:
        offer.status = "stalled"
        offer.stalled_at = now
        if offer.reason_source == "manual" and offer.reason:
            continue
        offer.reason, offer.reason_source = reasons.get(offer.candidate_id, ("unknown", "unknown"))
    db.session.flush()
    db.session.execute(
        sa.update(Candidate)
        .where(Candidate.id.in_({o.candidate_id for o in offers}),
               Candidate.status.in_(STALLABLE_CANDIDATE_STATUSES))
        .values(status="stalled", updated_at=now)
        .execution_options(synchronize_session="fetch")
    )


def sweep_stalled_offers(now: dt.datetime, *, batch_size: int = BATCH_SIZE) -> int:
    """Stall every overdue pending offer of the current tenant; returns how many."""
    stalled = 0
    while True:
        batch = list(db.session.scalars(
            sa.select(Offer)
            .where(Offer.status == "pending", Offer.respond_by < now)
            .order_by(Offer.respond_by, Offer.id)
            .limit(batch_size)
        ))
        if not batch:
            break
        stall_offers(batch, now)
        stalled += len(batch)
        db.session.commit()
    if stalled:
        audit.record("offer.swept", actor_kind="system", target_kind="offer",
                     detail={"stalled": stalled})
        db.session.commit()
    return stalled
