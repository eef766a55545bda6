"""Offer forms on the candidate page (the partial ``offers/_candidate_offers.html``).

Each form posts here and comes back to the candidate page, with what happened
(or what was wrong) as a message at the top.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import Form

from saas.auth.current import actor, require_permission
from saas.candidates.services import get_candidate
from saas.extensions import db
from saas.offers.forms import OfferForm, OfferReasonForm, OfferResponseForm
from saas.offers.models import Offer
from saas.offers.services import (
    OfferError,
    create_offer,
    get_offer,
    offer_out,
    offers_of,
    record_response,
    set_manual_reason,
)
from saas.tags.labels import codes_of, tag_label

bp = Blueprint("offers", __name__, url_prefix="/candidates/<uuid:candidate_id>/offers",
               template_folder="templates")

OFFER_STATUS_LABELS: dict[str, LazyString] = {
    "pending": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "stalled": _l("Stalled"),
}
REASON_SOURCE_LABELS: dict[str, LazyString] = {
    "manual": _l("set by hand"),
    "inferred": _l("from the notes"),
    "unknown": _l("nothing in the notes"),
}


@bp.app_template_global("candidate_offers")
def candidate_offers(candidate_id: uuid.UUID) -> list[dict[str, Any]]:
    """The candidate's offers for the partial, newest first (empty without offer:read)."""
    if not current_user.can("offer:read"):
        return []
    return [offer_out(o) for o in offers_of(candidate_id)]


@bp.app_context_processor
def _offer_labels() -> dict[str, Any]:
    return {
        "offer_status_labels": OFFER_STATUS_LABELS,
        "offer_reason_source_labels": REASON_SOURCE_LABELS,
        "offer_reason_choices": lambda: [(c, tag_label("reason", c)) for c in codes_of("reason")],
    }


def _back(candidate_id: uuid.UUID) -> ResponseReturnValue:
    return redirect(url_for("candidates.show", candidate_id=candidate_id) + "#offers")


def _flash_errors(form: Form) -> None:
    for field in form:
        for error in field.errors:
            flash(_("%(field)s: %(error)s", field=field.label.text, error=error), "error")


def _offer_of(candidate_id: uuid.UUID, offer_id: uuid.UUID) -> Offer:
    offer = get_offer(offer_id)
    if offer is None or offer.candidate_id != candidate_id:
        abort(404)
    return offer


def _local_moment(day: dt.date, end_of_day: bool) -> dt.datetime:
    clock = dt.time(23, 59, 59) if end_of_day else dt.time(0, 0)
    return dt.datetime.combine(day, clock, tzinfo=get_timezone()).astimezone(dt.UTC)


@bp.route("", methods=["POST"])
@require_permission("offer:write")
def record(candidate_id: uuid.UUID) -> ResponseReturnValue:
    if get_candidate(candidate_id) is None:
        abort(404)
    form = OfferForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(candidate_id)
    kind, actor_id = actor()
    try:
        offer = create_offer(
            candidate_id=candidate_id, sent_at=_local_moment(form.sent_on.data, False),
            respond_by=_local_moment(form.respond_by_on.data, True),
            actor_kind=kind, actor_id=actor_id,
        )
    except OfferError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(candidate_id)
    status = offer.status
    db.session.commit()
    if status == "stalled":
        flash(_("The offer is recorded; its answer was already overdue, so it is stalled."),
              "success")
    else:
        flash(_("The offer is recorded."), "success")
    return _back(candidate_id)


@bp.route("/<uuid:offer_id>/response", methods=["POST"])
@require_permission("offer:write")
def respond(candidate_id: uuid.UUID, offer_id: uuid.UUID) -> ResponseReturnValue:
    offer = _offer_of(candidate_id, offer_id)
    form = OfferResponseForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(candidate_id)
    kind, actor_id = actor()
    try:
        record_response(offer, form.outcome.data, actor_kind=kind, actor_id=actor_id)
    except OfferError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(candidate_id)
    db.session.commit()
    flash(_("The answer is recorded."), "success")
    return _back(candidate_id)


@bp.route("/<uuid:offer_id>/reason", methods=["POST"])
@require_permission("offer:write")
def set_reason(candidate_id: uuid.UUID, offer_id: uuid.UUID) -> ResponseReturnValue:
    offer = _offer_of(candidate_id, offer_id)
    form = OfferReasonForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(candidate_id)
    kind, actor_id = actor()
    try:
        set_manual_reason(offer, form.reason.data, actor_kind=kind, actor_id=actor_id)
    except OfferError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(candidate_id)
    db.session.commit()
    flash(_("The reason is saved."), "success")
    return _back(candidate_id)
