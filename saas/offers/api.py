"""``/api/v1/offers``: record offers, their answers and their primary reason."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from saas.api.lookup import found_first
from saas.api.pagination import paginate
from saas.auth.current import actor, require_permission
from saas.extensions import db
from saas.offers import schemas
from saas.offers.models import Offer
from saas.offers.services import (
    CandidateNotFound,
    OfferConflict,
    OfferError,
    create_offer,
    get_offer,
    offer_out,
    record_response,
    set_manual_reason,
)

F = TypeVar("F", bound=Callable[..., Any])

offers_blp = Blueprint("offers_api", __name__, url_prefix="/api/v1/offers",
                       description="Offers: sent, answered, or stalled past respond_by")


def _refuse(exc: OfferError) -> NoReturn:
    db.session.rollback()
    if isinstance(exc, CandidateNotFound):
        abort(404, message=f"{exc.field}: {exc}")
    if isinstance(exc, OfferConflict):
        abort(409, message=str(exc))
    abort(422, message=str(exc), errors={exc.field or "_body": [str(exc)]})
    raise AssertionError("unreachable")


def _offer_or_404(offer_id: uuid.UUID) -> Offer:
    offer = get_offer(offer_id)
    if offer is None:
        abort(404)
    return offer  # type: ignore[return-value]


known_offer = found_first(_offer_or_404, "offer_id")


@offers_blp.route("")
class Offers(MethodView):
    @require_permission("offer:read")
    @offers_blp.arguments(schemas.OfferListArgsSchema, location="query")
    @offers_blp.response(200, schemas.OfferPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List offers, optionally of one candidate and in one status (oldest first)."""
        stmt = sa.select(Offer)
        if args.get("candidate_id"):
            stmt = stmt.where(Offer.candidate_id == args["candidate_id"])
        if args.get("status"):
            stmt = stmt.where(Offer.status == args["status"])
        page = paginate(stmt, Offer.id, args["limit"], args["cursor"])
        page["items"] = [offer_out(o) for o in page["items"]]
        return page

    @require_permission("offer:write")
    @offers_blp.arguments(schemas.OfferSchema)
    @offers_blp.response(201, schemas.OfferSchema)
    @offers_blp.alt_response(404, description="No such candidate (or another tenant's)")
    @offers_blp.alt_response(409, description="The candidate may not be contacted")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record an offer; the candidate becomes ``offered``."""
        kind, actor_id = actor()
        try:
            offer = create_offer(
                candidate_id=data["candidate_id"], opening_id=data.get("opening_id"),
                sent_at=data["sent_at"], respond_by=data["respond_by"],
                actor_kind=kind, actor_id=actor_id,
            )
        except OfferError as exc:
            _refuse(exc)
        db.session.commit()
        return offer_out(offer)


@offers_blp.route("/<uuid:offer_id>")
class OfferById(MethodView):
    @require_permission("offer:read")
    @offers_blp.response(200, schemas.OfferSchema)
    def get(self, offer_id: uuid.UUID) -> dict[str, Any]:
        """One offer."""
        return offer_out(_offer_or_404(offer_id))

    @require_permission("offer:write")
    @known_offer
    @offers_blp.arguments(schemas.OfferReasonSchema)
    @offers_blp.response(200, schemas.OfferSchema)
    @offers_blp.alt_response(409, description="The offer was already answered")
    def patch(self, data: dict[str, Any], offer_id: uuid.UUID) -> dict[str, Any]:
        """Set the primary reason by hand (``reason_source`` becomes ``manual``)."""
        offer = _offer_or_404(offer_id)
        kind, actor_id = actor()
        try:
            set_manual_reason(offer, data["reason"], actor_kind=kind, actor_id=actor_id)
        except OfferError as exc:
            _refuse(exc)
        db.session.commit()
        return offer_out(offer)


@offers_blp.route("/<uuid:offer_id>/response")
class OfferResponse(MethodView):
    @require_permission("offer:write")
    @known_offer
    @offers_blp.arguments(schemas.OfferResponseSchema)
    @offers_blp.response(200, schemas.OfferSchema)
    @offers_blp.alt_response(409, description="Only a pending or stalled offer can be answered")
    def post(self, data: dict[str, Any], offer_id: uuid.UUID) -> dict[str, Any]:
        """Record the answer: ``accepted`` (candidate ``hired``) or ``declined``."""
        offer = _offer_or_404(offer_id)
        kind, actor_id = actor()
        try:
            record_response(offer, data["outcome"], actor_kind=kind, actor_id=actor_id)
        except OfferError as exc:
            _refuse(exc)
        db.session.commit()
        return offer_out(offer)
