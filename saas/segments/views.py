"""Segment pages: the query bar with examples and field help, saved segments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from saas.auth.current import require_permission
from saas.extensions import db
from saas.segments import help as segment_help
from saas.segments.forms import EditSegmentForm, SaveSegmentForm
from saas.segments.models import SavedSegment
from saas.segments.query_ast import SegmentQueryError
from saas.segments.service import (
    Preview,
    SegmentNameTaken,
    create_segment,
    delete_segment,
    local_today,
    preview,
    update_segment,
)
from saas.web.navigation import NavItem, add_nav_item

bp = Blueprint("segments", __name__, url_prefix="/segments", template_folder="templates")
add_nav_item(NavItem("segments.index", _l("Segments"), "segment:read", "main", 30))

RESULT_LIMIT = 50


@dataclass(frozen=True)
class QueryProblem:
    """A query error as the page shows it: the query split around the bad character."""

    title: str
    message: str
    position: int
    before: str
    at: str
    after: str

    @classmethod
    def of(cls, query: str, exc: SegmentQueryError) -> QueryProblem:
        position = min(exc.position, len(query))
        title = segment_help.ERROR_TITLES.get(exc.code)
        return cls(
            title=str(title) if title else _("The query cannot be read"),
            message=exc.message, position=position, before=query[:position],
            at=query[position:position + 1], after=query[position + 1:],
        )


@dataclass(frozen=True)
class Results:
    preview: Preview | None
    problem: QueryProblem | None


def _results(query: str) -> Results:
    try:
        found = preview(query, today=local_today(), user_id=current_user.id, size=RESULT_LIMIT)
    except SegmentQueryError as exc:
        return Results(None, QueryProblem.of(query, exc))
    return Results(found, None)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"candidate_status_labels": segment_help.STATUS_LABELS}


def _candidate_link() -> bool:
    """Whether candidate pages exist to link results to."""
    return "candidates.show" in current_app.view_functions


def _saved_segments() -> list[dict[str, Any]]:
    """Every saved segment with its preview count (None when its query no longer compiles)."""
    rows = []
    for segment in db.session.scalars(sa.select(SavedSegment).order_by(SavedSegment.name)):
        try:
            count: int | None = preview(
                segment.query, today=local_today(), user_id=current_user.id, size=0).count
        except SegmentQueryError:
            count = None
        rows.append({"segment": segment, "count": count})
    return rows


def _render_index(query: str, form: SaveSegmentForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "segments/index.html", query=query, results=_results(query), form=form,
        saved=_saved_segments(), help=segment_help, link_candidates=_candidate_link(),
        result_limit=RESULT_LIMIT,
    ), status


@bp.route("")
@require_permission("segment:read")
def index() -> ResponseReturnValue:
    query = request.args.get("q", "")
    return _render_index(query, SaveSegmentForm(query=query, formdata=None))


@bp.route("", methods=["POST"])
@require_permission("segment:write")
def save() -> ResponseReturnValue:
    form = SaveSegmentForm()
    query = form.query.data or ""
    if form.validate():
        try:
            segment = create_segment(name=form.name.data.strip(), query=query,
                                     description=(form.description.data or "").strip() or None)
        except SegmentNameTaken:
            db.session.rollback()
            form.name.errors = [_("Another segment already has this name.")]
        except SegmentQueryError:
            db.session.rollback()
            form.name.errors = [_("Fix the query before saving it.")]
        else:
            db.session.commit()
            flash(_("Segment “%(name)s” is saved.", name=segment.name), "success")
            return redirect(url_for("segments.show", segment_id=segment.id))
    return _render_index(query, form, 422)


def _segment_or_404(segment_id: uuid.UUID) -> SavedSegment:
    segment = db.session.scalars(
        sa.select(SavedSegment).where(SavedSegment.id == segment_id)
    ).first()
    if segment is None:
        abort(404)
    return segment


def _render_show(segment: SavedSegment, form: EditSegmentForm,
                 status: int = 200) -> ResponseReturnValue:
    return render_template(
        "segments/show.html", segment=segment, form=form, results=_results(segment.query),
        link_candidates=_candidate_link(), result_limit=RESULT_LIMIT,
    ), status


@bp.route("/<uuid:segment_id>")
@require_permission("segment:read")
def show(segment_id: uuid.UUID) -> ResponseReturnValue:
    segment = _segment_or_404(segment_id)
    return _render_show(segment, EditSegmentForm(obj=segment, formdata=None))


@bp.route("/<uuid:segment_id>", methods=["POST"])
@require_permission("segment:write")
def edit(segment_id: uuid.UUID) -> ResponseReturnValue:
    segment = _segment_or_404(segment_id)
    form = EditSegmentForm()
    if form.validate():
        changes = {"name": form.name.data.strip(), "query": form.query.data or "",
                   "description": (form.description.data or "").strip() or None}
        try:
            update_segment(segment, changes)
        except SegmentNameTaken:
            db.session.rollback()
            form.name.errors = [_("Another segment already has this name.")]
        except SegmentQueryError as exc:
            db.session.rollback()
            problem = QueryProblem.of(changes["query"], exc)
            form.query.errors = [_("%(title)s at character %(position)d: %(message)s",
                                   title=problem.title, position=problem.position + 1,
                                   message=problem.message)]
        else:
            db.session.commit()
            flash(_("Segment “%(name)s” is saved.", name=segment.name), "success")
            return redirect(url_for("segments.show", segment_id=segment_id))
    return _render_show(_segment_or_404(segment_id), form, 422)


@bp.route("/<uuid:segment_id>/delete", methods=["POST"])
@require_permission("segment:write")
def delete(segment_id: uuid.UUID) -> ResponseReturnValue:
    segment = _segment_or_404(segment_id)
    name = segment.name
    delete_segment(segment)
    db.session.commit()
    flash(_("Segment “%(name)s” is deleted.", name=name), "success")
    return redirect(url_for("segments.index"))
