"""Candidate pages: the list (with a segment query), the profile with its timeline, forms."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from saas.auth.current import actor, require_permission
from saas.candidates.documents import (
    candidate_document,
    candidate_documents,
    interaction_documents,
    revision_documents,
)
from saas.candidates.forms import (
    DIRECTION_LABELS,
    PERIOD_LABELS,
    STATUS_LABELS,
    CandidateForm,
    InteractionForm,
)
from saas.candidates.interactions import (
    InteractionInvalid,
    add_interaction,
    edit_interaction,
    get_interaction,
    revisions_of,
)
from saas.candidates.listing import candidate_page, timeline_page
from saas.candidates.models import Candidate
from saas.candidates.services import (
    CandidateInvalid,
    DuplicateCandidate,
    create_candidate,
    delete_candidate,
    get_candidate,
    tenant_users,
    update_candidate,
)
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.segments import SegmentQueryError
from saas.segments.service import local_today
from saas.tags.labels import code_label
from saas.web.navigation import NavItem, add_nav_item

bp = Blueprint("candidates", __name__, url_prefix="/candidates", template_folder="templates")
PAGE_SIZE = 50
TIMELINE_SIZE = 100

add_nav_item(NavItem("candidates.index", _l("Candidates"), "candidate:read", "main", 20))


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"status_labels": STATUS_LABELS, "direction_labels": DIRECTION_LABELS,
            "period_labels": PERIOD_LABELS, "channel_label": lambda c: code_label("channel", c)}


def _candidate_or_404(candidate_id: uuid.UUID) -> Candidate:
    candidate = get_candidate(candidate_id)
    if candidate is None:
        abort(404)
    return candidate


def _interaction_or_404(candidate: Candidate, interaction_id: uuid.UUID) -> Interaction:
    interaction = get_interaction(candidate, interaction_id)
    if interaction is None:
        abort(404)
    return interaction


def _candidate_form(**kwargs: Any) -> CandidateForm:
    owners = [(str(u.id), u.name) for u in tenant_users()]
    return CandidateForm(owners=owners,
                         with_compensation=current_user.can("candidate:write_compensation"),
                         **kwargs)


def _duplicate_error(form: CandidateForm, exc: DuplicateCandidate) -> None:
    field = {"email": form.emails, "phone": form.phones, "wechat": form.wechat_id}[exc.kind]
    field.errors = [*field.errors, _("%(name)s already has this contact point.",
                                     name=exc.existing.name)]
    form.duplicate_of = exc.existing


def _service_errors(form: CandidateForm, exc: CandidateInvalid) -> None:
    for name, messages in exc.errors.items():
        target = form.owner_id if name.startswith("owner") else form[name]
        target.errors = [*target.errors, *messages]


@bp.route("")
@require_permission("candidate:read")
def index() -> ResponseReturnValue:
    query = (request.args.get("q") or "").strip()
    cursor = request.args.get("cursor") or None
    error = None
    rows: list[Candidate] = []
    next_cursor = None
    try:
        rows, next_cursor = candidate_page(query or None, today=local_today(),
                                           user_id=current_user.id, limit=PAGE_SIZE,
                                           cursor=cursor)
    except SegmentQueryError as exc:
        error = _("%(message)s (at character %(position)d)", message=exc.message,
                  position=exc.position + 1)
    return render_template(
        "candidates/index.html", query=query, error=error, next_cursor=next_cursor,
        candidates=candidate_documents(rows),
    ), 400 if error else 200


@bp.route("/new", methods=["GET", "POST"])
@require_permission("candidate:write")
def new() -> ResponseReturnValue:
    form = _candidate_form()
    if not form.is_submitted():
        form.owner_id.data = str(current_user.id)
    if form.validate_on_submit():
        kind, actor_id = actor()
        try:
            candidate = create_candidate(form.changes(), actor_kind=kind, actor_id=actor_id)
        except DuplicateCandidate as exc:
            db.session.rollback()
            _duplicate_error(form, exc)
        except CandidateInvalid as exc:
            db.session.rollback()
            _service_errors(form, exc)
        else:
            db.session.commit()
            flash(_("%(name)s is added.", name=candidate.name), "success")
            return redirect(url_for("candidates.show", candidate_id=candidate.id))
    return render_template("candidates/form.html", form=form, candidate=None), \
        422 if form.is_submitted() else 200


def _render_profile(candidate: Candidate, form: InteractionForm,
                    status: int = 200) -> ResponseReturnValue:
    interactions, more = timeline_page(candidate, limit=TIMELINE_SIZE, cursor=None)
    return render_template(
        "candidates/show.html", candidate=candidate, profile=candidate_document(candidate),
        timeline=interaction_documents(interactions), more_timeline=more is not None,
        form=form,
    ), status


@bp.route("/<uuid:candidate_id>")
@require_permission("candidate:read")
def show(candidate_id: uuid.UUID) -> ResponseReturnValue:
    return _render_profile(_candidate_or_404(candidate_id), InteractionForm(formdata=None))


@bp.route("/<uuid:candidate_id>/edit", methods=["GET", "POST"])
@require_permission("candidate:write")
def edit(candidate_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    form = _candidate_form()
    if not form.is_submitted():
        form.fill_from(candidate_document(candidate))
    elif form.validate():
        kind, actor_id = actor()
        try:
            update_candidate(candidate, form.changes(), actor_kind=kind, actor_id=actor_id)
        except DuplicateCandidate as exc:
            db.session.rollback()
            _duplicate_error(form, exc)
        except CandidateInvalid as exc:
            db.session.rollback()
            _service_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Changes to %(name)s are saved.", name=candidate.name), "success")
            return redirect(url_for("candidates.show", candidate_id=candidate.id))
    return render_template("candidates/form.html", form=form, candidate=candidate), \
        422 if form.is_submitted() else 200


@bp.route("/<uuid:candidate_id>/delete", methods=["GET", "POST"])
@require_permission("candidate:erase")
def delete(candidate_id: uuid.UUID) -> ResponseReturnValue:
    """A confirmation page (works without JavaScript), then the deletion on POST."""
    candidate = _candidate_or_404(candidate_id)
    if request.method == "GET":
        return render_template("candidates/delete.html", candidate=candidate)
    name = candidate.name
    kind, actor_id = actor()
    delete_candidate(candidate, actor_kind=kind, actor_id=actor_id)
    db.session.commit()
    flash(_("%(name)s and everything recorded about them are deleted.", name=name), "success")
    return redirect(url_for("candidates.index"))


@bp.route("/<uuid:candidate_id>/interactions", methods=["POST"])
@require_permission("interaction:write")
def add_to_timeline(candidate_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    form = InteractionForm()
    if not form.validate_on_submit():
        return _render_profile(candidate, form, status=422)
    kind, actor_id = actor()
    add_interaction(candidate, form.changes(), actor_kind=kind, author_id=actor_id)
    db.session.commit()
    flash(_("Added to the timeline."), "success")
    return redirect(url_for("candidates.show", candidate_id=candidate.id) + "#timeline")


@bp.route("/<uuid:candidate_id>/interactions/<uuid:interaction_id>/edit",
          methods=["GET", "POST"])
@require_permission("interaction:write")
def edit_entry(candidate_id: uuid.UUID, interaction_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    interaction = _interaction_or_404(candidate, interaction_id)
    document = interaction_documents([interaction])[0]
    form = InteractionForm()
    if not form.is_submitted():
        form.fill_from(document)
    elif form.validate():
        kind, actor_id = actor()
        edit_interaction(candidate, interaction, form.changes(), actor_kind=kind,
                         editor_id=actor_id)
        db.session.commit()
        flash(_("The timeline entry is saved; the earlier version is kept."), "success")
        return redirect(url_for("candidates.show", candidate_id=candidate.id) + "#timeline")
    return render_template(
        "candidates/interaction_edit.html", candidate=candidate, entry=document, form=form,
        history=revision_documents(revisions_of(interaction)),
    ), 422 if form.is_submitted() else 200


@bp.route("/<uuid:candidate_id>/interactions/<uuid:interaction_id>/answer", methods=["POST"])
@require_permission("interaction:write")
def mark_answered(candidate_id: uuid.UUID, interaction_id: uuid.UUID) -> ResponseReturnValue:
    """Mark one open question (``question``: its index) answered now."""
    candidate = _candidate_or_404(candidate_id)
    interaction = _interaction_or_404(candidate, interaction_id)
    try:
        index = int(request.form.get("question", ""))
        kind, actor_id = actor()
        edit_interaction(candidate, interaction, {"answered_questions": [index]},
                         actor_kind=kind, editor_id=actor_id)
    except (ValueError, InteractionInvalid):
        db.session.rollback()
        flash(_("That question is not on this entry any more."), "error")
    else:
        db.session.commit()
        flash(_("Marked answered."), "success")
    return redirect(url_for("candidates.show", candidate_id=candidate.id) + "#timeline")
