"""Candidate-page actions for privacy requests: export everything, erase, reveal pay.

* ``POST /candidates/<id>/access-export`` (``candidate:export``): the access
  request archive, downloaded.
* ``GET|POST /candidates/<id>/erase`` (``candidate:erase``): a confirmation page
  where the name is typed, then the erasure.
* ``POST /candidates/<id>/compensation`` (``candidate:read_compensation``): shows
  the compensation once and records ``candidate.compensation_revealed``; the
  candidate page itself never shows it.

A legal hold refuses an erasure from anywhere (these pages, the API, the plain
delete): :func:`_under_legal_hold` answers 409 for the API and a message on
the candidate page otherwise.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from saas.api.problems import is_api_request, problem
from saas.auth.current import actor, require_permission
from saas.candidates.models import Candidate
from saas.candidates.services import get_candidate
from saas.extensions import db
from saas.privacy.access import archive_filename, export_candidate, reveal_compensation
from saas.privacy.api_requests import same_name
from saas.privacy.erasure import UnderLegalHold, erase_candidate
from saas.privacy.request_limits import erasure_limit, export_limit

bp = Blueprint("privacy_requests", __name__, url_prefix="/candidates",
               template_folder="templates")


class EraseForm(FlaskForm):  # type: ignore[misc]
    confirm = StringField(_l("Type the candidate's name to confirm"),
                          validators=[DataRequired(), Length(max=200)])


def _candidate_or_404(candidate_id: uuid.UUID) -> Candidate:
    candidate = get_candidate(candidate_id)
    if candidate is None:
        abort(404)
    return candidate


@bp.app_errorhandler(UnderLegalHold)
def _under_legal_hold(exc: UnderLegalHold) -> ResponseReturnValue:
    db.session.rollback()
    if is_api_request():
        return problem(409, title="Conflict", detail=(
            "The candidate is under legal hold: lift the hold before erasing them."),
            reason="under legal hold")
    flash(_("This candidate is under legal hold: nothing can erase them until the hold is "
            "lifted."), "error")
    return redirect(url_for("candidates.show", candidate_id=exc.candidate_id))


@bp.route("/<uuid:candidate_id>/access-export", methods=["POST"])
@require_permission("candidate:export")
@export_limit
def access_export(candidate_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    kind, actor_id = actor()
    archive = export_candidate(candidate, via="page", actor_kind=kind, actor_id=actor_id)
    db.session.commit()
    return Response(archive, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{archive_filename(candidate)}"',
        "Cache-Control": "no-store"})


@bp.route("/<uuid:candidate_id>/erase", methods=["GET", "POST"])
@require_permission("candidate:erase")
@erasure_limit
def erase(candidate_id: uuid.UUID) -> ResponseReturnValue:
    """The confirmation page (the name must be typed), then the erasure on POST."""
    candidate = _candidate_or_404(candidate_id)
    form = EraseForm()
    if form.validate_on_submit():
        if same_name(form.confirm.data, candidate.name):
            kind, actor_id = actor()
            erase_candidate(candidate, cause="request", actor_kind=kind, actor_id=actor_id)
            db.session.commit()
            flash(_("The candidate is erased: every record about them is deleted and their "
                    "key destroyed."), "success")
            return redirect(url_for("candidates.index"))
        form.confirm.errors = [_("This is not the candidate's name. Type it exactly as shown "
                                 "above.")]
    status = 422 if form.is_submitted() else 200
    return render_template("privacy/erase.html", candidate=candidate, form=form), status


@bp.route("/<uuid:candidate_id>/compensation", methods=["POST"])
@require_permission("candidate:read_compensation")
def reveal(candidate_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    kind, actor_id = actor()
    pay: dict[str, Any] = reveal_compensation(candidate, actor_kind=kind, actor_id=actor_id)
    db.session.commit()
    return render_template("privacy/compensation.html", candidate=candidate, pay=pay)
