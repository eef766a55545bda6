"""Pages: openings and company news, each with "who should hear about this"."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.auth.current import require_permission
from saas.extensions import db
from saas.openings.api import subject_of_event, subject_of_opening
from saas.openings.audience import BadAudienceCursor, Subject, audience, segment_query
from saas.openings.forms import (
    EVENT_KIND_LABELS,
    OPENING_STATUS_LABELS,
    ChangeEventForm,
    OpeningForm,
    SaveAudienceForm,
)
from saas.openings.matching import match_level, schedule_match_refresh
from saas.openings.models import ChangeEvent, Opening
from saas.openings.service import (
    OpeningError,
    create_event,
    create_opening,
    delete_event,
    delete_opening,
    get_event,
    get_opening,
    update_event,
    update_opening,
)
from saas.segments.query_ast import SegmentQueryError
from saas.segments.service import SegmentNameTaken, create_segment
from saas.tags.labels import code_label
from saas.web.navigation import NavItem, add_nav_item

bp = Blueprint("openings", __name__, template_folder="templates")
add_nav_item(NavItem("openings.index", _l("Openings"), "opening:read", "main", 70))
add_nav_item(NavItem("openings.events", _l("Company news"), "opening:read", "main", 80))

AUDIENCE_PAGE = 50


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "opening_status_labels": OPENING_STATUS_LABELS,
        "event_kind_labels": EVENT_KIND_LABELS,
        "value_label": lambda code: code_label("value", code),
    }


def _opening_or_404(opening_id: uuid.UUID) -> Opening:
    opening = get_opening(opening_id)
    if opening is None:
        abort(404)
    return opening


def _event_or_404(event_id: uuid.UUID) -> ChangeEvent:
    event = get_event(event_id)
    if event is None:
        abort(404)
    return event


def _known_skills(extra: list[str]) -> list[str]:
    """Skills the tenant's openings already use (checkbox choices), plus ``extra``."""
    known: set[str] = set(extra)
    for skills in db.session.scalars(sa.select(Opening.skills)):
        known.update(skills or [])
    return sorted(known)


def _audience_context(subject: Subject) -> dict[str, Any]:
    try:
        page = audience(subject, limit=AUDIENCE_PAGE, cursor=request.args.get("cursor"))
    except BadAudienceCursor:
        page = audience(subject, limit=AUDIENCE_PAGE)
    return {"audience": page, "segment_query": segment_query(subject),
            "save_form": SaveAudienceForm(formdata=None), "match_level": match_level,
            "can_compose": "outreach.compose" in current_app.view_functions}


def _save_audience(subject: Subject, back: str) -> ResponseReturnValue:
    form = SaveAudienceForm()
    query = segment_query(subject)
    if not form.validate() or query is None:
        flash(_("Give the segment a name.") if query else
              _("It speaks to no values, so nobody would be selected."), "error")
        return redirect(back)
    try:
        segment = create_segment(name=form.name.data.strip(), query=query, description=None)
    except SegmentNameTaken:
        db.session.rollback()
        flash(_("Another segment already has this name."), "error")
        return redirect(back)
    except SegmentQueryError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(_("Segment “%(name)s” is saved.", name=segment.name), "success")
    return redirect(url_for("segments.show", segment_id=segment.id))


# Openings ---------------------------------------------------------------------------

@bp.route("/openings")
@require_permission("opening:read")
def index() -> ResponseReturnValue:
    openings = list(db.session.scalars(sa.select(Opening).order_by(Opening.id.desc())))
    return render_template("openings/index.html", openings=openings)


def _render_opening_form(form: OpeningForm, opening: Opening | None,
                         status: int = 200) -> ResponseReturnValue:
    return render_template("openings/form.html", form=form, opening=opening), status


@bp.route("/openings/new", methods=["GET", "POST"])
@require_permission("opening:write")
def new() -> ResponseReturnValue:
    form = OpeningForm(known_skills=_known_skills([]))
    if request.method == "POST":
        if not form.validate():
            return _render_opening_form(form, None, 422)
        opening, rescore = create_opening(form.payload())
        opening_id = opening.id
        db.session.commit()
        if rescore:
            schedule_match_refresh()
        flash(_("The opening is saved."), "success")
        return redirect(url_for("openings.show", opening_id=opening_id))
    return _render_opening_form(form, None)


@bp.route("/openings/<uuid:opening_id>")
@require_permission("opening:read")
def show(opening_id: uuid.UUID) -> ResponseReturnValue:
    opening = _opening_or_404(opening_id)
    return render_template("openings/show.html", opening=opening,
                           **_audience_context(subject_of_opening(opening)))


@bp.route("/openings/<uuid:opening_id>/edit", methods=["GET", "POST"])
@require_permission("opening:write")
def edit(opening_id: uuid.UUID) -> ResponseReturnValue:
    opening = _opening_or_404(opening_id)
    known = _known_skills(list(opening.skills or []))
    if request.method == "GET":
        form = OpeningForm(obj=opening, known_skills=known)
        return _render_opening_form(form, opening)
    form = OpeningForm(known_skills=known)
    if not form.validate():
        return _render_opening_form(form, opening, 422)
    _changed, rescore = update_opening(opening, form.payload())
    db.session.commit()
    if rescore:
        schedule_match_refresh()
    flash(_("The opening is saved."), "success")
    return redirect(url_for("openings.show", opening_id=opening_id))


@bp.route("/openings/<uuid:opening_id>/delete", methods=["POST"])
@require_permission("opening:write")
def delete(opening_id: uuid.UUID) -> ResponseReturnValue:
    rescore = delete_opening(_opening_or_404(opening_id))
    db.session.commit()
    if rescore:
        schedule_match_refresh()
    flash(_("The opening is deleted."), "success")
    return redirect(url_for("openings.index"))


@bp.route("/openings/<uuid:opening_id>/segment", methods=["POST"])
@require_permission("segment:write")
def save_opening_audience(opening_id: uuid.UUID) -> ResponseReturnValue:
    opening = _opening_or_404(opening_id)
    return _save_audience(subject_of_opening(opening),
                          url_for("openings.show", opening_id=opening_id))


# Change events ------------------------------------------------------------------------

def _opening_choices() -> list[tuple[str, str]]:
    return [(str(o.id), o.title) for o in db.session.scalars(
        sa.select(Opening).order_by(Opening.id.desc()))]


@bp.route("/events")
@require_permission("opening:read")
def events() -> ResponseReturnValue:
    rows = list(db.session.scalars(
        sa.select(ChangeEvent).order_by(ChangeEvent.occurred_on.desc(), ChangeEvent.id.desc())))
    return render_template("openings/events.html", events=rows)


def _render_event_form(form: ChangeEventForm, event: ChangeEvent | None,
                       status: int = 200) -> ResponseReturnValue:
    return render_template("openings/event_form.html", form=form, event=event), status


def _event_form_saved(form: ChangeEventForm, event: ChangeEvent | None) -> ResponseReturnValue:
    try:
        if event is None:
            event = create_event(form.payload())
        else:
            update_event(event, form.payload())
    except OpeningError as exc:
        db.session.rollback()
        form.opening_id.errors = [str(exc)]
        return _render_event_form(form, event, 422)
    event_id = event.id
    db.session.commit()
    flash(_("The change event is saved."), "success")
    return redirect(url_for("openings.event", event_id=event_id))


@bp.route("/events/new", methods=["GET", "POST"])
@require_permission("event:write")
def new_event() -> ResponseReturnValue:
    form = ChangeEventForm(openings=_opening_choices())
    if request.method == "POST":
        if not form.validate():
            return _render_event_form(form, None, 422)
        return _event_form_saved(form, None)
    return _render_event_form(form, None)


@bp.route("/events/<uuid:event_id>")
@require_permission("opening:read")
def event(event_id: uuid.UUID) -> ResponseReturnValue:
    found = _event_or_404(event_id)
    opening = get_opening(found.opening_id) if found.opening_id else None
    return render_template("openings/event.html", event=found, opening=opening,
                           **_audience_context(subject_of_event(found)))


@bp.route("/events/<uuid:event_id>/edit", methods=["GET", "POST"])
@require_permission("event:write")
def edit_event(event_id: uuid.UUID) -> ResponseReturnValue:
    found = _event_or_404(event_id)
    if request.method == "GET":
        form = ChangeEventForm(obj=found, openings=_opening_choices())
        form.text_zh.data = (found.texts or {}).get("zh-CN", "")
        form.text_en.data = (found.texts or {}).get("en", "")
        form.opening_id.data = str(found.opening_id) if found.opening_id else ""
        return _render_event_form(form, found)
    form = ChangeEventForm(openings=_opening_choices())
    if not form.validate():
        return _render_event_form(form, found, 422)
    return _event_form_saved(form, found)


@bp.route("/events/<uuid:event_id>/delete", methods=["POST"])
@require_permission("event:write")
def delete_event_view(event_id: uuid.UUID) -> ResponseReturnValue:
    delete_event(_event_or_404(event_id))
    db.session.commit()
    flash(_("The change event is deleted."), "success")
    return redirect(url_for("openings.events"))


@bp.route("/events/<uuid:event_id>/segment", methods=["POST"])
@require_permission("segment:write")
def save_event_audience(event_id: uuid.UUID) -> ResponseReturnValue:
    found = _event_or_404(event_id)
    return _save_audience(subject_of_event(found), url_for("openings.event", event_id=event_id))
