"""Tags over the API: the catalogue, custom tags, a candidate's tags and corrections,
tagging a segment, and the extractor's measured accuracy."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas import audit
from saas.api.lookup import found_first
from saas.auth.current import actor, require_permission
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.segments.compiler import segment_problem, select_candidates
from saas.segments.query_ast import SegmentQueryError
from saas.tags import schemas
from saas.tags.candidate_tags import (
    Actor,
    TagError,
    accept_tag,
    accuracy,
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
from saas.tags.models import CandidateTag
from saas.web.i18n import select_timezone

tags_blp = Blueprint("tags_api", __name__, url_prefix="/api/v1/tags", description="Tags")
candidate_tags_blp = Blueprint(
    "candidate_tags_api", __name__, url_prefix="/api/v1/candidates",
    description="A candidate's tags and corrections of inferred ones",
)
segment_tag_blp = Blueprint(
    "segment_tag_api", __name__, url_prefix="/api/v1/segments",
    description="Tag everyone in a segment",
)
insights_blp = Blueprint(
    "insights_api", __name__, url_prefix="/api/v1/insights",
    description="Accuracy of the note extractor, from recruiters' corrections",
)
ACCURACY_PERMISSIONS = ("analytics:read", "settings:read")


def who() -> Actor:
    kind, actor_id = actor()
    return Actor(kind, actor_id)


def tag_problem(exc: TagError) -> NoReturn:
    abort(exc.status, message=exc.message, errors={exc.field: [exc.message]})
    raise AssertionError  # unreachable: abort raises


def _candidate(candidate_id: uuid.UUID) -> Candidate:
    candidate = load_candidate(candidate_id)
    if candidate is None:
        abort(404)
    return candidate  # type: ignore[return-value]


F = TypeVar("F", bound=Callable[..., Any])


candidate_first = found_first(_candidate, "candidate_id")


def _candidate_tag(candidate: Candidate, tag_id: uuid.UUID) -> CandidateTag:
    tag = load_tag(candidate, tag_id)
    if tag is None:
        abort(404)
    return tag  # type: ignore[return-value]


def _one(candidate: Candidate, tag: CandidateTag) -> dict[str, Any]:
    return next(item for item in tags_of(candidate.id) if item["id"] == tag.id)


def user_today() -> dt.date:
    """Today in the signed-in user's (else the tenant's) time zone."""
    return dt.datetime.now(zoneinfo.ZoneInfo(select_timezone())).date()


@tags_blp.route("")
class Tags(MethodView):
    @require_permission("tag:read")
    @tags_blp.response(200, schemas.TagCatalogueSchema)
    def get(self) -> dict[str, Any]:
        """System dimensions (labels in the request's language) and custom tags, with counts."""
        return catalogue()

    @require_permission("tag:write")
    @tags_blp.arguments(schemas.TagSchema)
    @tags_blp.response(201, schemas.TagSchema)
    @tags_blp.alt_response(409, description="A tag with this code exists")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a custom tag (``code`` is ``[a-z0-9_-]{1,40}``)."""
        try:
            tag = create_custom_tag(data["code"], data["label"], data.get("description"), who())
        except TagError as exc:
            tag_problem(exc)
        db.session.commit()
        return {"id": tag.id, "code": tag.code, "label": tag.label,
                "description": tag.description, "count": 0, "created_at": tag.created_at}


@tags_blp.route("/<uuid:tag_id>")
class TagById(MethodView):
    @require_permission("tag:write")
    @tags_blp.response(204)
    def delete(self, tag_id: uuid.UUID) -> None:
        """Delete a custom tag; it comes off every candidate."""
        tag = load_custom_tag(tag_id)
        if tag is None:
            abort(404)
        delete_custom_tag(tag, who())  # type: ignore[arg-type]
        db.session.commit()


@candidate_tags_blp.route("/<uuid:candidate_id>/tags")
class CandidateTags(MethodView):
    @require_permission("tag:read")
    @candidate_tags_blp.response(200, schemas.CandidateTagListSchema)
    def get(self, candidate_id: uuid.UUID) -> dict[str, Any]:
        """The candidate's tags, manual and inferred."""
        return {"items": tags_of(_candidate(candidate_id).id)}

    @require_permission("tag:write")
    @candidate_first
    @candidate_tags_blp.arguments(schemas.CandidateTagCreateSchema)
    @candidate_tags_blp.response(201, schemas.CandidateTagSchema)
    def post(self, data: dict[str, Any], candidate_id: uuid.UUID) -> dict[str, Any]:
        """Tag by hand: ``{"dimension", "code"}`` or ``{"tag": "<custom code>"}``.

        A reason or a channel replaces the candidate's previous one.
        """
        candidate = _candidate(candidate_id)
        try:
            tag = add_tag(candidate, data["dimension"], data["code"], who())
        except TagError as exc:
            tag_problem(exc)
        db.session.commit()
        return _one(candidate, tag)


@candidate_tags_blp.route("/<uuid:candidate_id>/tags/<uuid:candidate_tag_id>")
class CandidateTagById(MethodView):
    @require_permission("tag:write")
    @candidate_tags_blp.response(204)
    def delete(self, candidate_id: uuid.UUID, candidate_tag_id: uuid.UUID) -> None:
        """Remove a tag (removing an inferred one records that it was wrong)."""
        candidate = _candidate(candidate_id)
        remove_tag(candidate, _candidate_tag(candidate, candidate_tag_id), who())
        db.session.commit()


@candidate_tags_blp.route("/<uuid:candidate_id>/tags/<uuid:candidate_tag_id>/accept")
class CandidateTagAccept(MethodView):
    @require_permission("tag:write")
    @candidate_tags_blp.response(200, schemas.CandidateTagSchema)
    def post(self, candidate_id: uuid.UUID, candidate_tag_id: uuid.UUID) -> dict[str, Any]:
        """The inferred tag is right: it becomes manual."""
        candidate = _candidate(candidate_id)
        try:
            tag = accept_tag(candidate, _candidate_tag(candidate, candidate_tag_id), who())
        except TagError as exc:
            tag_problem(exc)
        db.session.commit()
        return _one(candidate, tag)


@candidate_tags_blp.route("/<uuid:candidate_id>/tags/<uuid:candidate_tag_id>/correct")
class CandidateTagCorrect(MethodView):
    @require_permission("tag:write")
    @candidate_first
    @candidate_tags_blp.arguments(schemas.TagCorrectSchema)
    @candidate_tags_blp.response(200, schemas.CandidateTagSchema)
    def post(self, data: dict[str, Any], candidate_id: uuid.UUID,
             candidate_tag_id: uuid.UUID) -> dict[str, Any]:
        """Replace an inferred tag's code with the right one (of the same dimension)."""
        candidate = _candidate(candidate_id)
        try:
            tag = correct_tag(candidate, _candidate_tag(candidate, candidate_tag_id),
                              data["code"], who())
        except TagError as exc:
            tag_problem(exc)
        db.session.commit()
        return _one(candidate, tag)


@segment_tag_blp.route("/tag")
class SegmentTag(MethodView):
    @require_permission("tag:write")
    @segment_tag_blp.arguments(schemas.SegmentTagSchema)
    @segment_tag_blp.response(200, schemas.SegmentTaggedSchema)
    def post(self, data: dict[str, Any]) -> dict[str, int]:
        """Tag everyone the segment query ``q`` finds; tagging twice adds nothing."""
        try:
            selection = select_candidates(data["q"], today=user_today(), user_id=current_user.id)
        except SegmentQueryError as exc:
            segment_problem(exc)
        try:
            tagged = tag_segment(selection, data["dimension"], data["code"], who())
        except TagError as exc:
            tag_problem(exc)
        db.session.commit()
        return {"tagged": tagged}


@insights_blp.route("/accuracy")
class InsightAccuracy(MethodView):
    @insights_blp.response(200, schemas.AccuracyListSchema)
    def get(self) -> dict[str, Any]:
        """Per dimension: inferred tags accepted, corrected, removed, and the share right.

        Needs ``analytics:read`` or ``settings:read``.
        """
        if not current_user.is_authenticated:
            abort(401)
        if not any(current_user.can(name) for name in ACCURACY_PERMISSIONS):
            kind, actor_id = actor()
            audit.record("permission.denied", outcome="denied", actor_kind=kind,
                         actor_id=actor_id, target_kind="endpoint",
                         target_id="insights_api.InsightAccuracy",
                         detail={"permission": " | ".join(ACCURACY_PERMISSIONS)}, commit=True)
            abort(403)
        return {"items": accuracy()}
