"""``/api/v1/openings`` and ``/api/v1/change-events``, each with its audience."""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from saas.api.lookup import found_first
from saas.api.pagination import PageArgsSchema, paginate
from saas.auth.current import require_permission
from saas.extensions import db
from saas.openings import schemas
from saas.openings.audience import (
    AudiencePage,
    BadAudienceCursor,
    Subject,
    audience,
    segment_query,
)
from saas.openings.matching import schedule_match_refresh
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
from saas.segments.models import SavedSegment
from saas.segments.query_ast import SegmentQueryError
from saas.segments.schemas import SegmentSchema
from saas.segments.service import SegmentNameTaken, create_segment

openings_blp = Blueprint("openings_api", __name__, url_prefix="/api/v1/openings",
                         description="Openings: roles, their skills and the values they speak to")
events_blp = Blueprint("change_events_api", __name__, url_prefix="/api/v1/change-events",
                       description="Company change events and who should hear about them")


def _refuse(exc: OpeningError) -> NoReturn:
    db.session.rollback()
    abort(422, message=f"{exc.field}: {exc}", errors={"json": {exc.field: [str(exc)]}})
    raise AssertionError("unreachable")


def _opening_or_404(opening_id: uuid.UUID) -> Opening:
    opening = get_opening(opening_id)
    if opening is None:
        abort(404)
    return opening  # type: ignore[return-value]


def _event_or_404(event_id: uuid.UUID) -> ChangeEvent:
    event = get_event(event_id)
    if event is None:
        abort(404)
    return event  # type: ignore[return-value]


def subject_of_opening(opening: Opening) -> Subject:
    return Subject(values=list(opening.values or []), skills=list(opening.skills or []))


def subject_of_event(event: ChangeEvent) -> Subject:
    return Subject(values=list(event.values or []))


def _audience_out(subject: Subject, args: dict[str, Any]) -> dict[str, Any]:
    try:
        page: AudiencePage = audience(subject, limit=args["limit"], cursor=args["cursor"])
    except BadAudienceCursor:
        abort(400, message="The cursor is not valid; start again without it.",
              errors={"cursor": ["Not a cursor returned by this API."]})
    items = [{
        "id": item.candidate.id, "name": item.candidate.name, "title": item.candidate.title,
        "current_company": item.candidate.current_company, "status": item.candidate.status,
        "last_contact_at": item.candidate.last_contact_at,
        "matching_values": item.matching_values, "matching_skills": item.matching_skills,
        "score": item.score,
    } for item in page.items]
    return {"items": items, "next_cursor": page.next_cursor, "count": page.total,
            "values": page.values, "segment_query": page.segment}


def _save_segment(subject: Subject, data: dict[str, Any]) -> SavedSegment:
    query = segment_query(subject)
    if query is None:
        abort(422, message="values: it speaks to no values, so nobody would be selected.",
              errors={"json": {"values": ["Add at least one value first."]}})
    try:
        segment = create_segment(name=data["name"], query=query or "",
                                 description=data.get("description"))
    except SegmentNameTaken as exc:
        db.session.rollback()
        abort(409, message=f"{exc} in this workspace; choose another name.")
    except SegmentQueryError as exc:  # the generated query always compiles
        db.session.rollback()
        abort(500, message=exc.message)
    db.session.commit()
    return segment


@openings_blp.route("")
class Openings(MethodView):
    @require_permission("opening:read")
    @openings_blp.arguments(schemas.OpeningListArgsSchema, location="query")
    @openings_blp.response(200, schemas.OpeningPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The tenant's openings, oldest first, optionally in one status."""
        stmt = sa.select(Opening)
        if args.get("status"):
            stmt = stmt.where(Opening.status == args["status"])
        return paginate(stmt, Opening.id, args["limit"], args["cursor"])

    @require_permission("opening:write")
    @openings_blp.arguments(schemas.OpeningSchema)
    @openings_blp.response(201, schemas.OpeningSchema)
    def post(self, data: dict[str, Any]) -> Opening:
        """Create an opening; ``status: open`` publishes it (and announces it as an event)."""
        opening, rescore = create_opening(data)
        db.session.commit()
        if rescore:
            schedule_match_refresh()
        return opening


@openings_blp.route("/<uuid:opening_id>")
class OpeningById(MethodView):
    @require_permission("opening:read")
    @openings_blp.response(200, schemas.OpeningSchema)
    def get(self, opening_id: uuid.UUID) -> Opening:
        """One opening."""
        return _opening_or_404(opening_id)

    @require_permission("opening:write")
    @found_first(_opening_or_404, "opening_id")
    @openings_blp.arguments(schemas.OpeningPatchSchema)
    @openings_blp.response(200, schemas.OpeningSchema)
    def patch(self, data: dict[str, Any], opening_id: uuid.UUID) -> Opening:
        """Change fields; setting ``status: open`` publishes it."""
        opening = _opening_or_404(opening_id)
        _changed, rescore = update_opening(opening, data)
        db.session.commit()
        if rescore:
            schedule_match_refresh()
        return _opening_or_404(opening_id)

    @require_permission("opening:write")
    @openings_blp.response(204)
    def delete(self, opening_id: uuid.UUID) -> None:
        """Delete the opening; its change events stay (unlinked)."""
        rescore = delete_opening(_opening_or_404(opening_id))
        db.session.commit()
        if rescore:
            schedule_match_refresh()


@openings_blp.route("/<uuid:opening_id>/audience")
class OpeningAudience(MethodView):
    @require_permission("opening:read")
    @require_permission("candidate:read")
    @openings_blp.arguments(PageArgsSchema, location="query")
    @openings_blp.response(200, schemas.AudienceSchema)
    def get(self, args: dict[str, Any], opening_id: uuid.UUID) -> dict[str, Any]:
        """Who should hear about this opening: ranked by values, then skills, then silence."""
        return _audience_out(subject_of_opening(_opening_or_404(opening_id)), args)


@openings_blp.route("/<uuid:opening_id>/audience/segment")
class OpeningAudienceSegment(MethodView):
    @require_permission("segment:write")
    @found_first(_opening_or_404, "opening_id")
    @openings_blp.arguments(schemas.SaveAudienceSchema)
    @openings_blp.response(201, SegmentSchema)
    def post(self, data: dict[str, Any], opening_id: uuid.UUID) -> SavedSegment:
        """Save the audience as a segment."""
        return _save_segment(subject_of_opening(_opening_or_404(opening_id)), data)


@events_blp.route("")
class ChangeEvents(MethodView):
    @require_permission("opening:read")
    @events_blp.arguments(schemas.ChangeEventListArgsSchema, location="query")
    @events_blp.response(200, schemas.ChangeEventPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The tenant's change events, oldest first, optionally of one kind."""
        stmt = sa.select(ChangeEvent)
        if args.get("kind"):
            stmt = stmt.where(ChangeEvent.kind == args["kind"])
        return paginate(stmt, ChangeEvent.id, args["limit"], args["cursor"])

    @require_permission("event:write")
    @events_blp.arguments(schemas.ChangeEventSchema)
    @events_blp.response(201, schemas.ChangeEventSchema)
    def post(self, data: dict[str, Any]) -> ChangeEvent:
        """Record (and publish) a change event."""
        try:
            event = create_event(data)
        except OpeningError as exc:
            _refuse(exc)
        db.session.commit()
        return event


@events_blp.route("/<uuid:event_id>")
class ChangeEventById(MethodView):
    @require_permission("opening:read")
    @events_blp.response(200, schemas.ChangeEventSchema)
    def get(self, event_id: uuid.UUID) -> ChangeEvent:
        """One change event."""
        return _event_or_404(event_id)

    @require_permission("event:write")
    @found_first(_event_or_404, "event_id")
    @events_blp.arguments(schemas.ChangeEventPatchSchema)
    @events_blp.response(200, schemas.ChangeEventSchema)
    def patch(self, data: dict[str, Any], event_id: uuid.UUID) -> ChangeEvent:
        """Change fields of the event."""
        event = _event_or_404(event_id)
        try:
            update_event(event, data)
        except OpeningError as exc:
            _refuse(exc)
        db.session.commit()
        return _event_or_404(event_id)

    @require_permission("event:write")
    @events_blp.response(204)
    def delete(self, event_id: uuid.UUID) -> None:
        """Delete the event."""
        delete_event(_event_or_404(event_id))
        db.session.commit()


@events_blp.route("/<uuid:event_id>/audience")
class ChangeEventAudience(MethodView):
    @require_permission("opening:read")
    @require_permission("candidate:read")
    @events_blp.arguments(PageArgsSchema, location="query")
    @events_blp.response(200, schemas.AudienceSchema)
    def get(self, args: dict[str, Any], event_id: uuid.UUID) -> dict[str, Any]:
        """Who should hear about this event: ranked by matching values, then silence."""
        return _audience_out(subject_of_event(_event_or_404(event_id)), args)


@events_blp.route("/<uuid:event_id>/audience/segment")
class ChangeEventAudienceSegment(MethodView):
    @require_permission("segment:write")
    @found_first(_event_or_404, "event_id")
    @events_blp.arguments(schemas.SaveAudienceSchema)
    @events_blp.response(201, SegmentSchema)
    def post(self, data: dict[str, Any], event_id: uuid.UUID) -> SavedSegment:
        """Save the audience as a segment."""
        return _save_segment(subject_of_event(_event_or_404(event_id)), data)
