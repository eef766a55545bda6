"""Tag pages: the tag catalogue (system dimensions, custom tags, tag a segment) and the
candidate page's tag chips with accept / correct / remove (``_candidate_tags.html``)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_percent, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from saas.auth.current import require_permission
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.segments.compiler import select_candidates
from saas.segments.query_ast import SegmentQueryError
from saas.tags.api import user_today, who
from saas.tags.candidate_tags import (
    TagError,
    accept_tag,
    add_tag,
    correct_tag,
    load_candidate,
    load_tag,
    remove_tag,
    tags_of,
)
from saas.tags.catalog import (
    catalogue,
    create_custom_tag,
    delete_custom_tag,
    load_custom_tag,
    tag_segment,
)
from saas.tags.forms import AddTagForm, CorrectTagForm, CustomTagForm, SegmentTagForm, split_choice
from saas.tags.models import CandidateTag
from saas.web.navigation import NavItem, add_nav_item

bp = Blueprint("tags", __name__, template_folder="templates")
add_nav_item(NavItem("tags.index", _l("Tags"), "tag:read", "main", 40))


def _render_index(custom_form: CustomTagForm | None = None,
                  segment_form: SegmentTagForm | None = None,
                  status: int = 200) -> ResponseReturnValue:
    return render_template(
        "tags/index.html",
        catalogue=catalogue(),
        custom_form=custom_form or CustomTagForm(formdata=None),
        segment_form=segment_form or SegmentTagForm(formdata=None),
    ), status


@bp.route("/tags")
@require_permission("tag:read")
def index() -> ResponseReturnValue:
    return _render_index()


@bp.route("/tags", methods=["POST"])
@require_permission("tag:write")
def create() -> ResponseReturnValue:
    form = CustomTagForm()
    if form.validate():
        try:
            tag = create_custom_tag(form.code.data, form.label.data, form.description.data,
                                    who())
        except TagError as exc:
            db.session.rollback()
            form.code.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Tag “%(label)s” created.", label=tag.label), "success")
            return redirect(url_for("tags.index"))
    return _render_index(custom_form=form, status=422)


@bp.route("/tags/<uuid:tag_id>/delete", methods=["POST"])
@require_permission("tag:write")
def delete(tag_id: uuid.UUID) -> ResponseReturnValue:
    tag = load_custom_tag(tag_id)
    if tag is None:
        abort(404)
    label = tag.label
    delete_custom_tag(tag, who())
    db.session.commit()
    flash(_("Tag “%(label)s” deleted.", label=label), "success")
    return redirect(url_for("tags.index"))


@bp.route("/tags/segment", methods=["POST"])
@require_permission("tag:write")
def tag_everyone() -> ResponseReturnValue:
    form = SegmentTagForm()
    if form.validate():
        try:
            selection = select_candidates(form.q.data, today=user_today(),
                                          user_id=current_user.id)
        except SegmentQueryError as exc:
            form.q.errors = [_("The query does not read at character %(position)d: %(problem)s",
                               position=exc.position + 1, problem=exc.message)]
        else:
            dimension, code = split_choice(form.tag.data)
            tagged = tag_segment(selection, dimension, code, who())
            db.session.commit()
            flash(_("Tagged %(n)d candidates (those who had the tag already are not counted).",
                    n=tagged), "success")
            return redirect(url_for("tags.index"))
    return _render_index(segment_form=form, status=422)


# --- the candidate page's tag chips ---------------------------------------------------


def _candidate_or_404(candidate_id: uuid.UUID) -> Candidate:
    candidate = load_candidate(candidate_id)
    if candidate is None:
        abort(404)
    return candidate


def _tag_or_404(candidate: Candidate, candidate_tag_id: uuid.UUID) -> CandidateTag:
    tag = load_tag(candidate, candidate_tag_id)
    if tag is None:
        abort(404)
    return tag


def _back(candidate: Candidate) -> ResponseReturnValue:
    return redirect(url_for("candidates.show", candidate_id=candidate.id) + "#tags")


def _refused(exc: TagError) -> None:
    db.session.rollback()
    flash(_("That tag change was not made: %(reason)s", reason=exc.message), "error")


@bp.app_template_global("candidate_tags_panel")
def candidate_tags_panel(candidate: Any) -> dict[str, Any]:
    """What ``tags/_candidate_tags.html`` shows for ``candidate`` (an object with ``id``)."""
    chips = []
    for item in tags_of(candidate.id):
        inferred = item["source"] == "inferred"
        chips.append({
            **item,
            "inferred": inferred,
            "percent": format_percent(item["confidence"] or 0) if inferred else None,
            "note_date": format_date(to_user_timezone(item["inferred_from"]))
            if inferred and item["inferred_from"] else None,
            "correct_form": CorrectTagForm(item["dimension"], formdata=None, data={
                "code": item["code"]}) if inferred and item["dimension"] != "custom" else None,
        })
    return {"chips": chips, "add_form": AddTagForm(formdata=None)}


@bp.route("/candidates/<uuid:candidate_id>/tags", methods=["POST"])
@require_permission("tag:write")
def add(candidate_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    form = AddTagForm()
    if not form.validate():
        flash(_("Choose a tag from the list."), "error")
        return _back(candidate)
    try:
        add_tag(candidate, *split_choice(form.tag.data), who())
    except TagError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(_("Tag added."), "success")
    return _back(candidate)


@bp.route("/candidates/<uuid:candidate_id>/tags/<uuid:candidate_tag_id>/remove",
          methods=["POST"])
@require_permission("tag:write")
def remove(candidate_id: uuid.UUID, candidate_tag_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    remove_tag(candidate, _tag_or_404(candidate, candidate_tag_id), who())
    db.session.commit()
    flash(_("Tag removed."), "success")
    return _back(candidate)


@bp.route("/candidates/<uuid:candidate_id>/tags/<uuid:candidate_tag_id>/accept",
          methods=["POST"])
@require_permission("tag:write")
def accept(candidate_id: uuid.UUID, candidate_tag_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    try:
        accept_tag(candidate, _tag_or_404(candidate, candidate_tag_id), who())
    except TagError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(_("Tag confirmed."), "success")
    return _back(candidate)


@bp.route("/candidates/<uuid:candidate_id>/tags/<uuid:candidate_tag_id>/correct",
          methods=["POST"])
@require_permission("tag:write")
def correct(candidate_id: uuid.UUID, candidate_tag_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    tag = _tag_or_404(candidate, candidate_tag_id)
    form = CorrectTagForm(tag.dimension)
    if not form.validate():
        flash(_("Choose the right code from the list."), "error")
        return _back(candidate)
    try:
        correct_tag(candidate, tag, form.code.data, who())
    except TagError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(_("Tag corrected."), "success")
    return _back(candidate)
