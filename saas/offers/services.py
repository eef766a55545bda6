"""Offers: record one, record the candidate's answer, set the primary reason by hand.

Candidate status follows the offer (TAXONOMY "candidate status"):

* recording an offer makes the candidate ``offered``;
* an accepted offer makes the candidate ``hired`` (the offer is the last step
  after ``interviewing``); a declined one makes them ``declined``;
* an offer left unanswered past ``respond_by`` is ``stalled`` (see
  :mod:`saas.offers.sweep`), never ``declined``.

``do_not_contact`` and ``erased`` candidates are never moved by an offer, and no
new offer can be recorded for them. Services add audit events (codes and ids
only) and leave the commit to the caller.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from saas import audit
from saas.audit.service import ActorKind
from saas.candidates.services import get_candidate
from saas.extensions import db
from saas.offers.models import Offer
from saas.offers.sweep import stall_offers
from saas.timeutil import utcnow

# Statuses an offer never changes: the person asked not to be contacted, or is gone.
UNTOUCHABLE_STATUSES = frozenset({"do_not_contact", "erased"})
ANSWERABLE = frozenset({"pending", "stalled"})
REASON_SETTABLE = frozenset({"pending", "stalled"})
STATUS_AFTER = {"accepted": "hired", "declined": "declined"}


class OfferError(Exception):
    """An offer operation refused; ``field`` names the input at fault, when one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CandidateNotFound(OfferError):
    pass


class OfferConflict(OfferError):
    pass


def get_offer(offer_id: uuid.UUID) -> Offer | None:
    return db.session.scalars(sa.select(Offer).where(Offer.id == offer_id)).first()


def offers_of(candidate_id: uuid.UUID) -> list[Offer]:
    """The candidate's offers, newest first."""
    stmt = (sa.select(Offer).where(Offer.candidate_id == candidate_id)
            .order_by(Offer.sent_at.desc(), Offer.id.desc()))
    return list(db.session.scalars(stmt))


def create_offer(
    *,
    candidate_id: uuid.UUID,
    sent_at: dt.datetime,
    respond_by: dt.datetime,
    opening_id: uuid.UUID | None = None,
    actor_kind: ActorKind = "user",
    actor_id: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> Offer:
    """Record an offer; one already past ``respond_by`` is stalled at once."""
    if respond_by <= sent_at:
        raise OfferError(_("respond_by must be after sent_at."), "respond_by")
    candidate = get_candidate(candidate_id)
    if candidate is None:
        raise CandidateNotFound(_("No candidate with this candidate_id."), "candidate_id")
    if candidate.status in UNTOUCHABLE_STATUSES:
        raise OfferConflict(
            _("The candidate's status is %(status)s: no offer can be recorded.",
              status=candidate.status), "candidate_id",
        )
    offer = Offer(candidate_id=candidate.id, opening_id=opening_id, sent_at=sent_at,
                  respond_by=respond_by, status="pending", created_by=actor_id)
    db.session.add(offer)
    candidate.status = "offered"
    db.session.flush()
    audit.record("offer.created", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="offer", target_id=offer.id,
                 detail={"candidate_id": str(candidate.id)})
    if respond_by <= (now or utcnow()):
        stall_offers([offer], now or utcnow())
    return offer


def record_response(
    offer: Offer,
    outcome: str,
    *,
    actor_kind: ActorKind = "user",
    actor_id: uuid.UUID | None = None,
) -> Offer:
    """The candidate accepted or declined; only a pending or stalled offer can be answered."""
    if offer.status not in ANSWERABLE:
        raise OfferConflict(
            _("This offer is already %(status)s; only a pending or stalled offer can be "
              "answered.", status=offer.status), "outcome",
        )
    offer.status = outcome
    offer.responded_at = utcnow()
    candidate = get_candidate(offer.candidate_id)
    if candidate is not None and candidate.status not in UNTOUCHABLE_STATUSES:
        candidate.status = STATUS_AFTER[outcome]
    audit.record("offer.answered", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="offer", target_id=offer.id, detail={"outcome": outcome})
    return offer


def set_manual_reason(
    offer: Offer,
    reason: str,
    *,
    actor_kind: ActorKind = "user",
    actor_id: uuid.UUID | None = None,
) -> Offer:
    """A person names the primary reason; it beats anything inferred, now and at the sweep."""
    if offer.status not in REASON_SETTABLE:
        raise OfferConflict(
            _("This offer is %(status)s; a reason is kept only for pending or stalled offers.",
              status=offer.status), "reason",
        )
    offer.reason = reason
    offer.reason_source = "manual"
    audit.record("offer.reason_set", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="offer", target_id=offer.id, detail={"reason": reason})
    return offer


def offer_out(offer: Offer) -> dict[str, Any]:
    """The API (and page) view of an offer, its reason labelled in the request's locale."""
    from saas.tags.labels import tag_label

    fields = ("id", "candidate_id", "opening_id", "sent_at", "respond_by", "status",
              "responded_at", "stalled_at", "reason", "reason_source", "created_at")
    out = {name: getattr(offer, name) for name in fields}
    out["reason_label"] = tag_label("reason", offer.reason) if offer.reason else None
    return out
