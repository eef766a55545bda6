"""``/api/v1/segments``: previews, saved segments and their candidates."""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.api.pagination import PageArgsSchema, paginate
from saas.auth.current import require_permission
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.segments import schemas
from saas.segments.compiler import segment_problem, select_candidates
from saas.segments.models import SavedSegment
from saas.segments.query_ast import SegmentQueryError
from saas.segments.service import (
    SegmentNameTaken,
    create_segment,
    delete_segment,
    local_today,
    preview,
    update_segment,
)

segments_blp = Blueprint(
    "segments_api", __name__, url_prefix="/api/v1/segments",
    description="Segments: candidates selected by a query",
)


def _name_taken(exc: SegmentNameTaken) -> NoReturn:
    db.session.rollback()
    abort(409, message=f"{exc} in this workspace; choose another name.")
    raise exc  # unreachable: abort raises


def _bad_query(exc: SegmentQueryError) -> NoReturn:
    db.session.rollback()
    segment_problem(exc)


def _load(segment_id: uuid.UUID) -> SavedSegment:
    segment = db.session.scalars(
        sa.select(SavedSegment).where(SavedSegment.id == segment_id)
    ).first()
    if segment is None:
        abort(404)
    return segment  # type: ignore[return-value]


@segments_blp.route("/preview")
class SegmentPreview(MethodView):
    @require_permission("segment:read")
    @segments_blp.arguments(schemas.PreviewArgsSchema, location="query")
    @segments_blp.response(200, schemas.PreviewSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """How many candidates a query selects, and the newest ten of them."""
        try:
            found = preview(args["q"], today=local_today(), user_id=current_user.id)
        except SegmentQueryError as exc:
            _bad_query(exc)
        return {"count": found.count, "sample": found.sample}


@segments_blp.route("")
class Segments(MethodView):
    @require_permission("segment:read")
    @segments_blp.arguments(PageArgsSchema, location="query")
    @segments_blp.response(200, schemas.SegmentPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The tenant's saved segments, oldest first."""
        return paginate(sa.select(SavedSegment), SavedSegment.id, args["limit"], args["cursor"])

    @require_permission("segment:write")
    @segments_blp.arguments(schemas.SegmentSchema)
    @segments_blp.response(201, schemas.SegmentSchema)
    def post(self, data: dict[str, Any]) -> SavedSegment:
        """Save a named query (400 with `position` when it does not compile, 409 on a
        name already used)."""
        try:
            segment = create_segment(
                name=data["name"], query=data["query"], description=data.get("description")
            )
        except SegmentQueryError as exc:
            _bad_query(exc)
        except SegmentNameTaken as exc:
            _name_taken(exc)
        db.session.commit()
        return segment


@segments_blp.route("/<uuid:segment_id>")
class SegmentById(MethodView):
    @require_permission("segment:read")
    @segments_blp.response(200, schemas.SegmentSchema)
    def get(self, segment_id: uuid.UUID) -> SavedSegment:
        """One saved segment."""
        return _load(segment_id)

    @require_permission("segment:write")
    @segments_blp.arguments(schemas.SegmentUpdateSchema)
    @segments_blp.response(200, schemas.SegmentSchema)
    def patch(self, data: dict[str, Any], segment_id: uuid.UUID) -> SavedSegment:
        """Rename it, change its query or description."""
        segment = _load(segment_id)
        try:
            update_segment(segment, data)
        except SegmentQueryError as exc:
            _bad_query(exc)
        except SegmentNameTaken as exc:
            _name_taken(exc)
        db.session.commit()
        return _load(segment_id)

    @require_permission("segment:write")
    @segments_blp.response(204)
    def delete(self, segment_id: uuid.UUID) -> None:
        """Delete the saved segment (its candidates are untouched)."""
        delete_segment(_load(segment_id))
        db.session.commit()


@segments_blp.route("/<uuid:segment_id>/candidates")
class SegmentCandidates(MethodView):
    @require_permission("segment:read")
    @segments_blp.arguments(PageArgsSchema, location="query")
    @segments_blp.response(200, schemas.CandidateSummaryPageSchema)
    def get(self, args: dict[str, Any], segment_id: uuid.UUID) -> dict[str, Any]:
        """The candidates the saved segment selects today, in creation order."""
        segment = _load(segment_id)
        try:
            stmt = select_candidates(segment.query, today=local_today(), user_id=current_user.id)
        except SegmentQueryError as exc:
            _bad_query(exc)
        return paginate(stmt, Candidate.id, args["limit"], args["cursor"])
